namespace TcpState.Exposition;

/// <summary>Why a metric exposes a series labelled <c>otel_metric_overflow="true"</c>.</summary>
[Flags]
internal enum SeriesOverflow
{
    /// <summary>No overflow series.</summary>
    None = 0,

    /// <summary>The SDK reached the stream's cardinality limit and folded further attribute sets into it.</summary>
    CardinalityLimit = 1,

    /// <summary>
    /// The collector kept more series of a synchronous instrument than
    /// <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/> and folded the least recently updated into it.
    /// </summary>
    RetainedSeriesLimit = 2,
}
