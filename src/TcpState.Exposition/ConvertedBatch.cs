namespace TcpState.Exposition;

/// <summary>What one export of the SDK converted to.</summary>
/// <param name="Metrics">The converted metrics, in the order of the SDK's registrations as far as it is known.</param>
/// <param name="UnsupportedMetricsSkipped">Metrics skipped because Prometheus text cannot express them.</param>
/// <param name="RetainedSeriesFolded">Series folded into overflow series because of the retained series limit.</param>
internal sealed record ConvertedBatch(List<ConvertedMetric> Metrics, int UnsupportedMetricsSkipped, int RetainedSeriesFolded)
{
    /// <summary>Gets the result before any export.</summary>
    public static ConvertedBatch Empty { get; } = new([], 0, 0);
}
