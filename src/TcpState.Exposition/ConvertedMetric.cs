namespace TcpState.Exposition;

/// <summary>One OpenTelemetry metric stream converted to Prometheus terms, before name conflicts are resolved.</summary>
/// <param name="Source">The stream as OpenTelemetry names it (<c>meter/instrument</c>), for diagnostics.</param>
/// <param name="Name">The Prometheus family name.</param>
/// <param name="Type">The Prometheus type.</param>
/// <param name="Help">The metric description.</param>
/// <param name="Unit">The Prometheus unit, or empty.</param>
/// <param name="Samples">The series.</param>
/// <param name="Overflow">Why the samples include a series labelled <c>otel_metric_overflow="true"</c>, if they do.</param>
/// <param name="RetainedSeriesFolded">Series the collector folded into the overflow series in this collection.</param>
internal sealed record ConvertedMetric(
    string Source,
    string Name,
    MetricFamilyType Type,
    string Help,
    string Unit,
    List<MetricSample> Samples,
    SeriesOverflow Overflow,
    int RetainedSeriesFolded)
{
    /// <summary>Gets whether measurements beyond a cardinality limit were folded into an overflow series.</summary>
    public bool HasOverflowSeries => this.Overflow != SeriesOverflow.None;
}
