namespace TcpState.Core;

/// <summary>One published series of <c>tcpstate_port_sockets</c>.</summary>
/// <param name="StateIndex">Index into <see cref="StateLabel"/>.</param>
/// <param name="Role">Server or client side.</param>
/// <param name="Port">The port that names the service, or <see cref="Other"/> for the folded remainder.</param>
/// <param name="Count">Number of sockets.</param>
public readonly record struct PortGroupCount(int StateIndex, SocketRole Role, int Port, long Count)
{
    /// <summary>The <see cref="Port"/> of the series that holds groups folded by the cardinality cap.</summary>
    public const int Other = -1;

    /// <summary>The label value of <see cref="Port"/>.</summary>
    public string PortLabel => Port == Other ? "other" : Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
