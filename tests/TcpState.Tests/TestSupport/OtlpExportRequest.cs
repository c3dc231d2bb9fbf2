namespace TcpState.Tests.TestSupport;

/// <summary>
/// A decoded ExportMetricsServiceRequest as the receiver got it, flattened: the resource attributes
/// of every resource_metrics (the exporter sends one) and all their metrics.
/// </summary>
public sealed record OtlpExportRequest(string Path, string ContentType, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, object?> Resource, IReadOnlyList<OtlpMetric> Metrics)
{
    public OtlpMetric? Metric(string name) => Metrics.FirstOrDefault(m => m.Name == name);

    public string? ResourceAttribute(string key) => Resource.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
