using System.Diagnostics.Metrics;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// The OTLP push's own instruments, created only when it is enabled so that /metrics is unchanged
/// otherwise. They live on a meter named like <see cref="TcpStateMetrics.MeterName"/>, so every
/// provider that adds that name (the Prometheus exposition and the OTLP pipelines) collects them.
/// </summary>
public sealed class OtlpExportMetrics : IDisposable
{
    private readonly Meter _meter;

    public OtlpExportMetrics(OtlpExportStatistics statistics)
    {
        _meter = new Meter(TcpStateMetrics.MeterName, TcpStateMetrics.Version);
        _meter.CreateObservableCounter("tcpstate.otlp.exports", () => new Measurement<long>(statistics.Exports), "{request}",
            "OTLP export requests sent to the collector (--otlp.enabled), successful or not. Each push interval sends two: one with the gauges, one with the counters.");
        _meter.CreateObservableCounter("tcpstate.otlp.export.failures", () => new Measurement<long>(statistics.Failures), "{request}",
            "OTLP export requests that failed: the collector was unreachable, refused the connection, did not answer in OTEL_EXPORTER_OTLP_TIMEOUT, or answered with an error. Their data is dropped; the next push sends current values.");
    }

    public void Dispose() => _meter.Dispose();
}
