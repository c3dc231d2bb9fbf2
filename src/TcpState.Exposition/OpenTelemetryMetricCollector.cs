using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Bridges the OpenTelemetry SDK to the Prometheus model: add <see cref="Reader"/> to the meter
/// provider (see <see cref="ExpositionMeterProviderBuilderExtensions.AddPrometheusExposition"/>),
/// then every <see cref="Collect"/> runs one SDK collection and converts it to <see cref="MetricFamily"/>s.
/// </summary>
/// <remarks>
/// <para>
/// The reader uses delta temporality, because only then does the SDK free the slot of an attribute
/// set that is no longer reported. Measured with OpenTelemetry 1.20.1: under cumulative temporality a
/// slot is never reclaimed, even after an observable callback stops reporting its attribute set, so
/// the cardinality limit bounded every attribute set seen over the process lifetime and a port family
/// whose ports churn would end up folded into the overflow series. Under delta a point that had no
/// update in a collection is reclaimed by that collection.
/// </para>
/// <para>
/// Prometheus needs cumulative values, so the collector rebuilds them per series (metric stream plus
/// normalized label set) and the exposition is the same as with a cumulative reader:
/// </para>
/// <list type="bullet">
/// <item>Observable gauges export their last observed values; a series the latest callback did not
/// report disappears, and comes back if observed again.</item>
/// <item>UpDownCounter and ObservableUpDownCounter stay cumulative in the SDK even under delta preference
/// (non-monotonic sums; measured with 1.20.1) and are exported as they come, as before, including that
/// their slots are never reclaimed: size their cardinality limit for every attribute set they may ever
/// report, or use an observable gauge for churning series.</item>
/// <item>Observable counters export the total the callback observed, rebuilt from the SDK's deltas,
/// and, as before, only for the series observed by the latest collection: the source owns the total
/// (a series that comes back reports its own value, and Prometheus handles a lower one as a reset).</item>
/// <item>Synchronous counters and histograms add up their deltas, and synchronous gauges keep their last
/// value; their series stay exposed after their last update, as under cumulative temporality, so a
/// counter never vanishes and comes back reset. The collector keeps at most
/// <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/> such series per metric; beyond
/// it the least recently updated are folded into the overflow series, so memory stays bounded and the
/// metric's total is preserved. Series of a disposed instrument stay exposed with their last values,
/// because the SDK gives no public sign of the disposal.</item>
/// </list>
/// <para>
/// Telling synchronous from observable instruments relies on an internal SDK member (see
/// <see cref="MetricInstrumentKind"/>); the tests pin it, and the diagnostic callback reports it if an
/// SDK upgrade removes it. Every export is converted, including those of collections this class did not
/// start (<c>MeterProvider.ForceFlush</c>), so that no delta is lost.
/// </para>
/// <para>
/// The SDK limits each metric to 2000 attribute sets by default and folds further measurements into
/// one series tagged <c>otel.metric.overflow=true</c> (exposed as <c>otel_metric_overflow="true"</c>).
/// Under delta temporality a slot is freed by the first collection that does not see its attribute set,
/// after that collection's callbacks ran: the limit must cover the attribute sets of two consecutive
/// collections. Raise it per instrument with
/// <see cref="ExpositionMeterProviderBuilderExtensions.AddCardinalityLimit"/>; overflowing metrics (the
/// SDK's limit or the retained series limit) are reported in <see cref="LastCollectionStatistics"/>,
/// through <see cref="OpenTelemetryMetricCollectorOptions.Diagnostic"/> and as the
/// <c>{prefix}_cardinality_overflow_metrics</c> gauge.
/// </para>
/// </remarks>
public sealed class OpenTelemetryMetricCollector : IMetricFamilySource
{
    private readonly MetricFamilyExporter exporter;
    private readonly Lock collectLock = new();
    private readonly string? diagnosticPrefix;
    private readonly Action<string>? diagnostic;
    private readonly HashSet<string> reportedProblems = new(StringComparer.Ordinal);
    private readonly int retainedSeriesLimit;
    private MetricCollectionStatistics lastStatistics = MetricCollectionStatistics.None;
    private long totalConflictingMetricsDropped;

    /// <summary>Initializes a new collector and its metric reader.</summary>
    /// <param name="options">The options; <see langword="null"/> for defaults.</param>
    public OpenTelemetryMetricCollector(OpenTelemetryMetricCollectorOptions? options = null)
    {
        options ??= new OpenTelemetryMetricCollectorOptions();
        if (!string.IsNullOrEmpty(options.DiagnosticMetricPrefix))
        {
            if (!PrometheusNaming.IsValidMetricName(options.DiagnosticMetricPrefix))
            {
                throw new ArgumentException("The diagnostic metric prefix must be a valid Prometheus metric name.", nameof(options));
            }

            this.diagnosticPrefix = options.DiagnosticMetricPrefix;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetainedSeriesLimit, 1, nameof(options));
        this.diagnostic = options.Diagnostic;
        this.retainedSeriesLimit = options.RetainedSeriesLimit;
        this.exporter = new MetricFamilyExporter(options.RetainedSeriesLimit);
        this.Reader = new BaseExportingMetricReader(this.exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Delta,
        };

        // Start recording instrument kinds before any instrument the provider sees is collected.
        _ = MetricInstrumentKind.IsAvailable;
    }

    /// <summary>
    /// Gets the reader to register with exactly one meter provider. The provider owns it and
    /// disposes it on shutdown, after which <see cref="Collect"/> throws.
    /// </summary>
    public MetricReader Reader { get; }

    /// <summary>Gets the statistics of the latest collection.</summary>
    public MetricCollectionStatistics LastCollectionStatistics => Volatile.Read(ref this.lastStatistics);

    /// <summary>Gets how many metrics were dropped for conflicting names, summed over all collections.</summary>
    public long TotalConflictingMetricsDropped => Interlocked.Read(ref this.totalConflictingMetricsDropped);

    /// <summary>
    /// Gets how many series were folded into overflow series because their metric kept more than
    /// <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/> series, summed over all
    /// collections (including those the collector did not start, such as <c>MeterProvider.ForceFlush</c>).
    /// </summary>
    public long TotalRetainedSeriesFolded => this.exporter.TotalRetainedSeriesFolded;

    /// <summary>Runs one SDK collection and converts it.</summary>
    /// <returns>The families, with unique names, in registration order.</returns>
    /// <exception cref="InvalidOperationException">The reader is not attached to a meter provider, or the provider was shut down.</exception>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (this.collectLock)
        {
            if (!this.exporter.IsCollectable)
            {
                throw new InvalidOperationException(
                    "OpenTelemetry metrics cannot be collected: the collector's reader is not added to a meter provider, or the provider was shut down.");
            }

            // The exporter converts the batch inside Collect; when another thread's collection was in
            // flight, the SDK folds this call into it and the latest export is that one.
            if (!this.Reader.Collect())
            {
                throw new InvalidOperationException("OpenTelemetry metric collection failed or timed out.");
            }

            return this.Assemble(this.exporter.Latest);
        }
    }

    private List<MetricFamily> Assemble(ConvertedBatch batch)
    {
        var builder = new MetricFamilySetBuilder();
        string? conflictingName = null;
        string? overflowName = null;
        if (this.diagnosticPrefix is not null)
        {
            // Claim the diagnostic names first so that no application metric can shadow them.
            conflictingName = this.diagnosticPrefix + "_conflicting_metrics_dropped";
            overflowName = this.diagnosticPrefix + "_cardinality_overflow_metrics";
            builder.TryAdd(new ConvertedMetric("diagnostics", conflictingName, MetricFamilyType.Gauge, string.Empty, string.Empty, [], SeriesOverflow.None, 0), out _);
            builder.TryAdd(new ConvertedMetric("diagnostics", overflowName, MetricFamilyType.Gauge, string.Empty, string.Empty, [], SeriesOverflow.None, 0), out _);
        }

        var conflicts = 0;
        var overflowing = new List<string>();
        foreach (var metric in batch.Metrics)
        {
            if (!builder.TryAdd(metric, out var conflict))
            {
                conflicts++;
                this.ReportOnce(conflict!);
                continue;
            }

            if (metric.HasOverflowSeries)
            {
                overflowing.Add(metric.Name);
            }

            if ((metric.Overflow & SeriesOverflow.CardinalityLimit) != 0)
            {
                this.ReportOnce(
                    $"Metric '{metric.Source}' ({metric.Name}) reached its cardinality limit; further attribute sets are aggregated " +
                    "into the series labelled otel_metric_overflow=\"true\". Raise the limit with AddCardinalityLimit.");
            }

            if ((metric.Overflow & SeriesOverflow.RetainedSeriesLimit) != 0)
            {
                this.ReportOnce(
                    $"Metric '{metric.Source}' ({metric.Name}) has more than {this.retainedSeriesLimit} series that the exposition keeps " +
                    "between scrapes; the least recently updated are aggregated into the series labelled otel_metric_overflow=\"true\". " +
                    "Raise OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit.");
            }
        }

        var families = builder.Build(out var duplicates);
        if (conflictingName is not null && overflowName is not null)
        {
            ReplaceFamily(families, new MetricFamily(
                conflictingName,
                MetricFamilyType.Gauge,
                "OpenTelemetry metrics dropped from this scrape because their Prometheus names collide with an earlier metric of another type.",
                null,
                [new MetricSample([], conflicts)]));
            ReplaceFamily(families, new MetricFamily(
                overflowName,
                MetricFamilyType.Gauge,
                "Metrics in this scrape that reached their cardinality limit; their excess series are aggregated into a series labelled otel_metric_overflow=true.",
                null,
                [new MetricSample([], overflowing.Count)]));
        }

        var series = 0;
        foreach (var family in families)
        {
            series += family.Samples.Count;
        }

        Interlocked.Add(ref this.totalConflictingMetricsDropped, conflicts);
        Volatile.Write(
            ref this.lastStatistics,
            new MetricCollectionStatistics(
                families.Count, series, conflicts, overflowing, batch.UnsupportedMetricsSkipped, duplicates, batch.RetainedSeriesFolded));
        return families;
    }

    private static void ReplaceFamily(List<MetricFamily> families, MetricFamily replacement)
    {
        for (var i = 0; i < families.Count; i++)
        {
            if (families[i].Name == replacement.Name)
            {
                families[i] = replacement;
                return;
            }
        }
    }

    private void ReportOnce(string message)
    {
        // A conflict or overflow repeats on every scrape; tell the host once per distinct problem.
        if (this.diagnostic is not null && this.reportedProblems.Add(message))
        {
            this.diagnostic(message);
        }
    }
}
