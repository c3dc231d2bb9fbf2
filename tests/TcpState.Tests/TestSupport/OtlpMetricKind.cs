namespace TcpState.Tests.TestSupport;

/// <summary>The data field of an OTLP Metric that was set.</summary>
public enum OtlpMetricKind
{
    Other,
    Gauge,
    Sum,
}
