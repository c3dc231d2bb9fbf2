using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Tests.Otlp;

/// <summary>Keeps, per export, each metric's series as "name{k=v,...}=value" (long gauges and sums).</summary>
internal sealed class RecordingMetricExporter : BaseExporter<Metric>
{
    private readonly List<IReadOnlyList<string>> _exports = [];

    public IReadOnlyList<IReadOnlyList<string>> Exports
    {
        get { lock (_exports) return [.. _exports]; }
    }

    public IReadOnlyList<string> Last => Exports[^1];

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var series = new List<string>();
        foreach (var metric in batch)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new List<string>();
                foreach (var tag in point.Tags) tags.Add($"{tag.Key}={tag.Value}");
                var value = metric.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetSumLong();
                series.Add($"{metric.Name}{{{string.Join(',', tags)}}}={value}");
            }
        }

        lock (_exports) _exports.Add(series);
        return ExportResult.Success;
    }
}
