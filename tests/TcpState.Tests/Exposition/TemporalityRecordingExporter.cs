using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Tests.Exposition;

/// <summary>Records the temporality the SDK gives each exported metric, to pin what the collector's delta reader receives.</summary>
internal sealed class TemporalityRecordingExporter : BaseExporter<Metric>
{
    public Dictionary<string, AggregationTemporality> Temporalities { get; } = new(StringComparer.Ordinal);

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            this.Temporalities[metric.Name] = metric.Temporality;
        }

        return ExportResult.Success;
    }
}
