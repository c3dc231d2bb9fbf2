namespace TcpState.Benchmarks;

/// <summary>
/// One benchmark of the command, chosen by its first argument. New measurements are new modes,
/// so they share the command, the build and the signal handling.
/// </summary>
internal interface IBenchmarkMode
{
    /// <summary>The first program argument that selects the mode, e.g. "attribution".</summary>
    string Name { get; }

    /// <summary>One usage line: the mode's arguments and what it measures.</summary>
    string Usage { get; }

    /// <summary>Runs the mode; returns the process exit code.</summary>
    /// <param name="arguments">The arguments after the mode name.</param>
    /// <param name="cancellation">Set on SIGINT/SIGTERM: stop at the next step and clean up.</param>
    /// <exception cref="UsageException">The arguments are wrong.</exception>
    int Run(IReadOnlyList<string> arguments, CancellationToken cancellation);
}
