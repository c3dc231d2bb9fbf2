namespace TcpState.Reliability;

/// <summary>One reliability run of the command, chosen by its first argument (fuzz, load, soak).</summary>
internal interface IReliabilityMode
{
    /// <summary>The first program argument that selects the mode.</summary>
    string Name { get; }

    /// <summary>One usage line: the mode's arguments and what it checks.</summary>
    string Usage { get; }

    /// <summary>Runs the mode; returns the process exit code (0 passed, 1 a check failed).</summary>
    /// <param name="arguments">The arguments after the mode name.</param>
    /// <param name="cancellation">Set on SIGINT/SIGTERM: stop at the next step and clean up.</param>
    /// <exception cref="UsageException">The arguments are wrong.</exception>
    int Run(IReadOnlyList<string> arguments, CancellationToken cancellation);
}
