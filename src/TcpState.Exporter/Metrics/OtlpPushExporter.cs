using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// The package's OTLP metric exporter, counting and logging the outcome of every export. A subclass
/// rather than a wrapper: the exporter reads the resource (service.name, host.name) from the
/// provider that owns it, which the SDK sets only on the exporter handed to the reader.
/// </summary>
internal sealed class OtlpPushExporter : OtlpMetricExporter
{
    private const string OverflowAttribute = "otel.metric.overflow";

    private readonly string _pipeline;
    private readonly string _endpoint;
    private readonly OtlpExportStatistics _statistics;
    private readonly ILogger _logger;
    private readonly HashSet<string> _overflowReported = new(StringComparer.Ordinal);
    private int _consecutiveFailures;

    public OtlpPushExporter(OtlpExporterOptions options, string pipeline, string endpoint, OtlpExportStatistics statistics, ILogger logger)
        : base(options)
    {
        _pipeline = pipeline;
        _endpoint = endpoint;
        _statistics = statistics;
        _logger = logger;
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        // The reader calls Export from one thread at a time, so the fields need no lock.
        ReportOverflow(batch);
        var result = base.Export(batch);
        _statistics.RecordExport(result == ExportResult.Success);
        if (result == ExportResult.Success)
        {
            if (_consecutiveFailures > 0)
            {
                OtlpLog.PushRecovered(_logger, _pipeline, _endpoint, _consecutiveFailures);
                _consecutiveFailures = 0;
                _statistics.PipelineRecovered();
            }
        }
        else if (_consecutiveFailures++ == 0)
        {
            _statistics.PipelineFailing();
            OtlpLog.PushFailing(_logger, _pipeline, _endpoint);
        }

        return result;
    }

    private void ReportOverflow(in Batch<Metric> batch)
    {
        // The pipelines are sized so that this never happens (see OtlpMetricsPipeline); if it does,
        // the pushed series are wrong, which must not pass silently.
        foreach (var metric in batch)
        {
            if (_overflowReported.Contains(metric.Name)) continue;
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == OverflowAttribute && _overflowReported.Add(metric.Name))
                    {
                        OtlpLog.CardinalityOverflow(_logger, metric.Name);
                    }
                }
            }
        }
    }
}
