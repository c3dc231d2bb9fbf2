namespace TcpState.Exposition;

/// <summary>One OpenTelemetry metric stream converted to Prometheus terms, before name conflicts are resolved.</summary>
/// <param name="Source">The stream as OpenTelemetry names it (<c>meter/instrument</c>), for diagnostics.</param>
/// <param name="Name">The Prometheus family name.</param>
/// <param name="Type">The Prometheus type.</param>
/// <param name="Help">The metric description.</param>
/// <param name="Unit">The Prometheus unit, or empty.</param>
/// <param name="Samples">The series.</param>
/// <param name="HasOverflowSeries">Whether the SDK folded measurements beyond the cardinality limit into an overflow series.</param>
internal sealed record ConvertedMetric(
    string Source,
    string Name,
    MetricFamilyType Type,
    string Help,
    string Unit,
    List<MetricSample> Samples,
    bool HasOverflowSeries);
