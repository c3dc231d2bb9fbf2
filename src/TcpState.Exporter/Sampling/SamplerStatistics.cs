using System.Collections.Concurrent;

namespace TcpState.Exporter.Sampling;

/// <summary>The sampler's own counters, read by the self-metrics. Thread-safe.</summary>
public sealed class SamplerStatistics
{
    /// <summary>Reasons a sample can fail; each is exported from the start, at 0, so rate() works at once.</summary>
    public static readonly IReadOnlyList<string> KnownErrorReasons =
        [.. Kernel.Netlink.NetlinkErrors.Reasons, "proc_error", "dump_interrupted", "internal"];

    /// <summary>Reasons a dump is tried again within a sample.</summary>
    public static readonly IReadOnlyList<string> KnownRetryReasons = ["dump_interrupted", "netlink_overrun"];

    private readonly ConcurrentDictionary<string, long> _retriesByReason = new(KnownRetryReasons.Select(r => KeyValuePair.Create(r, 0L)));

    private readonly ConcurrentDictionary<string, long> _errors = new(KnownErrorReasons.Select(r => KeyValuePair.Create(r, 0L)));
    private long _samples;
    private long _malformed;
    private volatile bool _lastSucceeded;
    private long _lastProgress;
    private long _intervalTicks;

    public long Samples => Interlocked.Read(ref _samples);

    public IEnumerable<KeyValuePair<string, long>> Retries => _retriesByReason;

    public void RecordRetry(string reason) => _retriesByReason.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public long MalformedRecords => Interlocked.Read(ref _malformed);

    /// <summary>Whether the most recent sample succeeded (false before the first).</summary>
    public bool LastSucceeded => _lastSucceeded;

    public IEnumerable<KeyValuePair<string, long>> Errors => _errors;

    /// <summary>Monotonic timestamp (of the sampler's TimeProvider) at which a sample last started or finished: how the watchdog tells a live loop from a stalled one.</summary>
    public long LastProgress => Interlocked.Read(ref _lastProgress);

    public void RecordProgress(long timestamp) => Interlocked.Exchange(ref _lastProgress, timestamp);

    /// <summary>The interval the sampler waits between samples now: --sample.interval, or longer after slow samples or samples over --sample.max-cpu-percent (null before the sampler starts).</summary>
    public TimeSpan? SampleInterval => Interlocked.Read(ref _intervalTicks) is > 0 and var ticks ? TimeSpan.FromTicks(ticks) : null;

    public void RecordInterval(TimeSpan interval) => Interlocked.Exchange(ref _intervalTicks, interval.Ticks);

    public void RecordSuccess(Core.SocketSnapshot snapshot)
    {
        Interlocked.Increment(ref _samples);
        Interlocked.Add(ref _malformed, snapshot.MalformedRecords);
        _lastSucceeded = true;
    }

    public void RecordFailure(string reason)
    {
        Interlocked.Increment(ref _samples);
        _errors.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        _lastSucceeded = false;
    }
}
