using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// The push exporter inside the collector's <see cref="BaseExportingMetricReader"/>. There is no
/// periodic export: <c>MetricReader.Collect</c> calls <see cref="Export"/> synchronously on the
/// collecting thread, which converts the batch while its metric points are valid.
/// </summary>
internal sealed class MetricFamilyExporter : BaseExporter<Metric>
{
    private readonly OpenTelemetryMetricConverter converter = new();
    private bool capturing;
    private List<ConvertedMetric>? captured;
    private int capturedUnsupported;
    private bool shutDown;

    /// <summary>
    /// Gets whether collections can reach a running meter provider. Needed because, measured with
    /// OpenTelemetry 1.20.1, <c>MetricReader.Collect</c> returns <see langword="true"/> (and exports
    /// an empty batch) both before the reader is added to a provider and after the provider is disposed.
    /// </summary>
    public bool IsCollectable => this.ParentProvider is not null && !Volatile.Read(ref this.shutDown);

    public override ExportResult Export(in Batch<Metric> batch)
    {
        // Exports outside a scrape (the final collection when the provider shuts down) have no reader.
        if (!Volatile.Read(ref this.capturing))
        {
            return ExportResult.Success;
        }

        this.captured = this.converter.Convert(batch, out this.capturedUnsupported);
        return ExportResult.Success;
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        Volatile.Write(ref this.shutDown, true);
        return base.OnShutdown(timeoutMilliseconds);
    }

    /// <summary>Starts capturing exports; the caller serializes collections.</summary>
    public void BeginCapture()
    {
        this.captured = null;
        this.capturedUnsupported = 0;
        Volatile.Write(ref this.capturing, true);
    }

    /// <summary>Stops capturing and returns what was exported, or an empty list when the batch was empty.</summary>
    /// <param name="unsupported">Metrics skipped because Prometheus text cannot express them.</param>
    /// <returns>The converted metrics.</returns>
    public List<ConvertedMetric> EndCapture(out int unsupported)
    {
        Volatile.Write(ref this.capturing, false);
        var result = this.captured ?? [];
        unsupported = this.capturedUnsupported;
        this.captured = null;
        return result;
    }
}
