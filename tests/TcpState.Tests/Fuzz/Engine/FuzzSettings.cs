namespace TcpState.Tests.Fuzz;

/// <summary>What a fuzz run does. Equal settings give equal cases on every machine.</summary>
public sealed record FuzzSettings
{
    /// <summary>The run's seed; each case's input follows from it and the case index.</summary>
    public required ulong Seed { get; init; }

    /// <summary>How many cases of the selected targets to run.</summary>
    public required long Cases { get; init; }

    /// <summary>The index of the first case (a replay starts at the failing one).</summary>
    public long FirstCase { get; init; }

    /// <summary>Which code to exercise. A case's target depends only on its seed, so cases of other targets are passed over.</summary>
    public FuzzTarget Targets { get; init; } = FuzzTarget.All;

    /// <summary>Whether exposition cases also go through promtool.</summary>
    public bool Promtool { get; init; } = true;

    /// <summary>Exposition cases checked by one promtool run.</summary>
    public int PromtoolCasesPerRun { get; init; } = 2000;

    /// <summary>The most one case may take; a case still running after this is reported as a hang.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called now and then (from the fuzzing thread) with the progress so far.</summary>
    public Action<FuzzReport>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Go on after a failure, keeping the first case of each distinct failure (same generator, same
    /// problem once numbers are ignored), so that one known bug does not hide everything after it.
    /// </summary>
    public bool KeepGoing { get; init; }

    /// <summary>Stops the run early (between cases); the report then holds fewer cases than asked.</summary>
    public CancellationToken Cancellation { get; init; }
}
