namespace TcpState.Exposition;

/// <summary>Options of <see cref="OpenTelemetryMetricCollector"/>.</summary>
public sealed class OpenTelemetryMetricCollectorOptions
{
    /// <summary>The default of <see cref="RetainedSeriesLimit"/>: the SDK's default cardinality limit.</summary>
    public const int DefaultRetainedSeriesLimit = 2000;

    /// <summary>
    /// Gets or sets the name prefix of the collector's own diagnostic gauges
    /// (<c>{prefix}_conflicting_metrics_dropped</c> and <c>{prefix}_cardinality_overflow_metrics</c>),
    /// which make dropped metrics and cardinality overflows visible on the scrape itself.
    /// <see langword="null"/> or empty disables them.
    /// </summary>
    public string? DiagnosticMetricPrefix { get; set; } = "tcpstate_exposition";

    /// <summary>
    /// Gets or sets a callback receiving a human-readable message the first time each distinct
    /// problem is seen (a dropped conflicting metric, a metric that hit its cardinality limit),
    /// so the host can log it once instead of on every scrape.
    /// </summary>
    public Action<string>? Diagnostic { get; set; }

    /// <summary>
    /// Gets or sets how many series the collector keeps per metric of a synchronous Counter,
    /// Histogram or Gauge, at least 1. The reader uses delta temporality, so the collector itself
    /// must remember these series between collections (a counter that had no increment since the
    /// last scrape keeps its total). Series updated by the latest collection are always exposed;
    /// beyond the limit, the least recently updated others are folded into the series labelled
    /// <c>otel_metric_overflow="true"</c>, reported like the SDK's cardinality overflow.
    /// Observable instruments and UpDownCounters keep nothing here and are not affected.
    /// </summary>
    /// <remarks>
    /// Raise it together with <see cref="ExpositionMeterProviderBuilderExtensions.AddCardinalityLimit"/>
    /// when a synchronous instrument may have more series than the default.
    /// </remarks>
    public int RetainedSeriesLimit { get; set; } = DefaultRetainedSeriesLimit;
}
