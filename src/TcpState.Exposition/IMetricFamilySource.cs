namespace TcpState.Exposition;

/// <summary>
/// Produces the current metric families on demand. This is the seam between the scrape
/// endpoint and where metrics come from (the OpenTelemetry SDK in production, fakes in tests).
/// </summary>
public interface IMetricFamilySource
{
    /// <summary>Collects the current metric families. Called by one thread at a time.</summary>
    /// <returns>The families, with unique names.</returns>
    IReadOnlyList<MetricFamily> Collect();
}
