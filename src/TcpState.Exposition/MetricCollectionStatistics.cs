namespace TcpState.Exposition;

/// <summary>What happened in one collection of <see cref="OpenTelemetryMetricCollector"/>.</summary>
/// <param name="FamilyCount">Families exposed, including the collector's own diagnostic families.</param>
/// <param name="SeriesCount">Series exposed (a histogram series counts once).</param>
/// <param name="ConflictingMetricsDropped">
/// OpenTelemetry metrics dropped because their Prometheus names collided with an earlier metric of another type.
/// </param>
/// <param name="CardinalityOverflowMetrics">
/// Prometheus names of the metrics that hit their cardinality limit (the SDK's, or the collector's
/// <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/>); each of them exposes a series
/// labelled <c>otel_metric_overflow="true"</c> that aggregates the measurements beyond the limit.
/// </param>
/// <param name="UnsupportedMetricsSkipped">Metrics skipped because Prometheus text cannot express them (exponential histograms).</param>
/// <param name="DuplicateSeriesDropped">Series dropped because an earlier metric merged into the same family had the same label set.</param>
/// <param name="RetainedSeriesFolded">
/// Series of synchronous instruments folded into their metric's overflow series by this collection
/// because the metric kept more than <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/> series.
/// </param>
public sealed record MetricCollectionStatistics(
    int FamilyCount,
    int SeriesCount,
    int ConflictingMetricsDropped,
    IReadOnlyList<string> CardinalityOverflowMetrics,
    int UnsupportedMetricsSkipped,
    int DuplicateSeriesDropped,
    int RetainedSeriesFolded)
{
    /// <summary>Gets the statistics before any collection.</summary>
    public static MetricCollectionStatistics None { get; } = new(0, 0, 0, [], 0, 0, 0);
}
