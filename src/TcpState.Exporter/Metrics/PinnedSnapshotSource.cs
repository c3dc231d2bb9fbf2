using TcpState.Exposition;

namespace TcpState.Exporter.Metrics;

/// <summary>Collects with one sample pinned, so that a scrape is a consistent view of one snapshot.</summary>
public sealed class PinnedSnapshotSource(IMetricFamilySource inner, TcpStateMetrics metrics) : IMetricFamilySource
{
    public IReadOnlyList<MetricFamily> Collect()
    {
        using (metrics.PinSnapshot())
        {
            return inner.Collect();
        }
    }
}
