namespace TcpState.Core;

/// <summary>One published series of the per-port families.</summary>
/// <param name="StateIndex">Index into <see cref="StateLabel"/>.</param>
/// <param name="Role">Server or client side.</param>
/// <param name="Port">The port that names the service, or <see cref="Other"/> for the folded remainder.</param>
/// <param name="Count">Number of sockets.</param>
public readonly record struct PortGroupCount(int StateIndex, SocketRole Role, int Port, long Count)
{
    /// <summary>The <see cref="Port"/> of the series that holds groups folded by the cardinality cap.</summary>
    public const int Other = -1;

    /// <summary>The <c>process</c> label value ("" when no process owns the sockets).</summary>
    public string Process { get; init; } = "";

    /// <summary>The <c>pid</c> label value, when the pid label is on and the owner is a process.</summary>
    public string? Pid { get; init; }

    /// <summary>Age of the oldest socket, for states tracked for stuck sockets; null otherwise.</summary>
    public TimeSpan? OldestAge { get; init; }

    /// <summary>Sockets at least as old as the stuck threshold (tracked states only).</summary>
    public long Stuck { get; init; }

    /// <summary>The label value of <see cref="Port"/>.</summary>
    public string PortLabel => Port == Other ? "other" : Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
