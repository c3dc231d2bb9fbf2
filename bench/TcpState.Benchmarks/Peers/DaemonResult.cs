using TcpState.Bench;

namespace TcpState.Benchmarks.Peers;

/// <summary>The exporter daemon itself, run inside the namespace at its default 10 s interval.</summary>
/// <param name="SingleScrapeMs">Median time of one uncached scrape (scrapes spaced beyond the 1 s cache).</param>
/// <param name="Series">Sample lines in one /metrics response.</param>
/// <param name="Wrk">wrk at 32 connections.</param>
/// <param name="RssBytes">VmRSS at the end of the CPU window.</param>
/// <param name="PeakRssBytes">VmHWM: the peak RSS since start (the cold first sample included).</param>
/// <param name="CpuShare">CPU time over wall time during the window (1.0 = one core).</param>
/// <param name="Window">Length of the CPU window: whole intervals, from the end of one sample to the end of a later one.</param>
/// <param name="SampleSeconds">The daemon's own tcpstate_sample_duration_seconds at the end.</param>
/// <param name="SampledSockets">Sum of its tcpstate_sockets at the end.</param>
/// <param name="SlowSampleWarnings">Log lines warning that the interval stretched: a sample took more than a tenth of it, or samples cost more CPU than --sample.max-cpu-percent.</param>
/// <param name="EffectiveInterval">The mean interval in effect during the CPU window (its length over the samples in it): 10 s, or longer after slow or costly samples.</param>
internal sealed record DaemonResult(
    double SingleScrapeMs,
    int Series,
    WrkResult Wrk,
    long RssBytes,
    long PeakRssBytes,
    double CpuShare,
    TimeSpan Window,
    double SampleSeconds,
    double SampledSockets,
    int SlowSampleWarnings,
    TimeSpan EffectiveInterval);
