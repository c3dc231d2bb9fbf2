namespace TcpState.Exposition;

/// <summary>Options of <see cref="OpenTelemetryMetricCollector"/>.</summary>
public sealed class OpenTelemetryMetricCollectorOptions
{
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
}
