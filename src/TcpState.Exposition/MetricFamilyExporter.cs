using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// The push exporter inside the collector's <see cref="BaseExportingMetricReader"/>. There is no
/// periodic export: <c>MetricReader.Collect</c> calls <see cref="Export"/> synchronously on the
/// collecting thread, which converts the batch while its metric points are valid.
/// </summary>
/// <remarks>
/// Under delta temporality every export carries increments that exist nowhere else, so every batch
/// is converted, including those of collections the collector did not start
/// (<c>MeterProvider.ForceFlush</c>, or the final collection at shutdown): skipping one would lose
/// counter increments for good. The collector reads the result of the latest export.
/// </remarks>
internal sealed class MetricFamilyExporter : BaseExporter<Metric>
{
    private readonly OpenTelemetryMetricConverter converter;

    // The SDK already runs one collection of a reader at a time; the lock keeps the converter's
    // state consistent even if that ever changes.
    private readonly Lock convertLock = new();
    private ConvertedBatch latest = ConvertedBatch.Empty;
    private long totalRetainedSeriesFolded;
    private bool shutDown;

    /// <summary>Initializes a new exporter.</summary>
    /// <param name="retainedSeriesLimit">See <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/>.</param>
    public MetricFamilyExporter(int retainedSeriesLimit)
    {
        this.converter = new OpenTelemetryMetricConverter(retainedSeriesLimit);
    }

    /// <summary>
    /// Gets whether collections can reach a running meter provider. Needed because, measured with
    /// OpenTelemetry 1.20.1, <c>MetricReader.Collect</c> returns <see langword="true"/> (and exports
    /// an empty batch) both before the reader is added to a provider and after the provider is disposed.
    /// </summary>
    public bool IsCollectable => this.ParentProvider is not null && !Volatile.Read(ref this.shutDown);

    /// <summary>Gets the conversion of the latest export.</summary>
    public ConvertedBatch Latest => Volatile.Read(ref this.latest);

    /// <summary>Gets how many series were folded into overflow series because of the retained series limit, over all exports.</summary>
    public long TotalRetainedSeriesFolded => Interlocked.Read(ref this.totalRetainedSeriesFolded);

    public override ExportResult Export(in Batch<Metric> batch)
    {
        lock (this.convertLock)
        {
            var converted = this.converter.Convert(batch);
            Interlocked.Add(ref this.totalRetainedSeriesFolded, converted.RetainedSeriesFolded);
            Volatile.Write(ref this.latest, converted);
        }

        return ExportResult.Success;
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        Volatile.Write(ref this.shutDown, true);
        return base.OnShutdown(timeoutMilliseconds);
    }
}
