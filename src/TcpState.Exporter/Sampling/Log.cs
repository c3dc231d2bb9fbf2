using Microsoft.Extensions.Logging;

namespace TcpState.Exporter.Sampling;

/// <summary>The exporter's log messages, with stable event ids an operator can filter on.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Sampling the TCP socket table every {Interval} from {Source}")]
    public static partial void SamplingStarted(ILogger logger, string interval, string source);

    [LoggerMessage(1001, LogLevel.Warning, "netlink is unavailable ({Reason}); falling back to {Path}/net/tcp and tcp6, which is 2-3x slower. Set --sample.source=proc to silence this warning.")]
    public static partial void FellBackToProc(ILogger logger, string reason, string path);

    [LoggerMessage(1002, LogLevel.Error, "Sample failed ({Reason}): {Message}. Serving the last good sample from {LastGood}; further failures of this kind are logged at Debug level.")]
    public static partial void SampleFailed(ILogger logger, string reason, string message, string lastGood);

    [LoggerMessage(1003, LogLevel.Debug, "Sample failed again ({Reason}): {Message}")]
    public static partial void SampleFailedAgain(ILogger logger, string reason, string message);

    [LoggerMessage(1004, LogLevel.Information, "Sampling recovered after {Failures} failed samples")]
    public static partial void SamplingRecovered(ILogger logger, int failures);

    [LoggerMessage(1005, LogLevel.Warning, "{Count} malformed socket records were skipped in one sample (source {Source}); they are counted in tcpstate_malformed_records_total")]
    public static partial void MalformedRecords(ILogger logger, long count, string source);

    [LoggerMessage(1006, LogLevel.Warning, "A sample took {Duration} ms, more than a tenth of the {Interval} interval: sampling every {Effective} (ten times the sample, at most 5m) until samples are faster; consider a longer --sample.interval")]
    public static partial void SlowSample(ILogger logger, long duration, string interval, string effective);

    [LoggerMessage(1010, LogLevel.Information, "A sample took {Duration} ms, under a twentieth of the interval: sampling every {Interval} as configured")]
    public static partial void IntervalRestored(ILogger logger, long duration, string interval);

    [LoggerMessage(1011, LogLevel.Information, "A sample took {Duration} ms, under a twentieth of the {Interval} interval; the CPU budget (--sample.max-cpu-percent) still has it sample every {Effective}")]
    public static partial void IntervalRestoredButOverCpuBudget(ILogger logger, long duration, string interval, string effective);

    [LoggerMessage(1012, LogLevel.Warning, "Samples cost {Cpu} ms of CPU each, more than {SamplingPercent}% of one core at the {Interval} interval (nine tenths of --sample.max-cpu-percent={Percent}; the rest is for serving scrapes): sampling every {Effective} until they cost less. Raise --sample.max-cpu-percent to sample more often (0 turns the budget off).")]
    public static partial void OverCpuBudget(ILogger logger, long cpu, string samplingPercent, string percent, string interval, string effective);

    [LoggerMessage(1013, LogLevel.Information, "Samples cost {Cpu} ms of CPU each, under half of {Percent}% of one core at the {Interval} interval: the CPU budget no longer stretches the interval (sampling every {Effective})")]
    public static partial void CpuBudgetRestored(ILogger logger, long cpu, string percent, string interval, string effective);

    [LoggerMessage(1008, LogLevel.Warning, "Cannot read the open files of {Processes} processes (for example pid {Pid} {Name}): running as uid {Uid} without {Missing}. {Sockets} sockets are reported with process=\"(unknown)\" and counted in tcpstate_unattributed_sockets; grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to attribute them. Everything else works.")]
    public static partial void CannotAttribute(ILogger logger, int processes, int pid, string name, uint uid, string missing, long sockets);

    [LoggerMessage(1009, LogLevel.Warning, "Running as root. The exporter needs no more than CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (for process attribution; counting needs nothing): run it as an unprivileged user with those two capabilities, as the packaged systemd unit does.")]
    public static partial void RunningAsRoot(ILogger logger);

    [LoggerMessage(1007, LogLevel.Information, "Serving metrics on {Scheme}://{Endpoint}{Path} {Authentication}")]
    public static partial void Listening(ILogger logger, string scheme, string endpoint, string path, string authentication);
}
