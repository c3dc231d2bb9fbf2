namespace TcpState.Tests.TestSupport;

/// <summary>
/// An OTLP Metric with its instrumentation scope. <see cref="Temporality"/> is the Sum's
/// AggregationTemporality (1 delta, 2 cumulative), 0 for gauges.
/// </summary>
public sealed record OtlpMetric(string Scope, string ScopeVersion, string Name, string Unit, OtlpMetricKind Kind, int Temporality, bool IsMonotonic, IReadOnlyList<OtlpDataPoint> Points)
{
    public const int DeltaTemporality = 1;
    public const int CumulativeTemporality = 2;
}
