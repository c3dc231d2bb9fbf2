using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Bridges the OpenTelemetry SDK to the Prometheus model: add <see cref="Reader"/> to the meter
/// provider (see <see cref="ExpositionMeterProviderBuilderExtensions.AddPrometheusExposition"/>),
/// then every <see cref="Collect"/> runs one SDK collection and converts it to <see cref="MetricFamily"/>s.
/// </summary>
/// <remarks>
/// <para>
/// Temporality is cumulative, as Prometheus expects. Measured with OpenTelemetry 1.20.1: a point of
/// an observable instrument (ObservableGauge/Counter/UpDownCounter) whose attribute set was not
/// reported by the latest callback is not exported by that collection, so a series that disappears
/// from an observation callback disappears from the exposition and comes back if observed again.
/// Points of synchronous instruments (Counter, UpDownCounter, Histogram, Gauge) are kept forever
/// under cumulative temporality, which is the Prometheus counter contract. No filtering is needed;
/// the tests pin this behaviour so an SDK upgrade that changes it fails loudly.
/// </para>
/// <para>
/// The SDK limits each metric to 2000 attribute sets by default and folds further measurements into
/// one series tagged <c>otel.metric.overflow=true</c> (exposed as <c>otel_metric_overflow="true"</c>).
/// Raise the limit per instrument with
/// <see cref="ExpositionMeterProviderBuilderExtensions.AddCardinalityLimit"/>; overflowing metrics are
/// reported in <see cref="LastCollectionStatistics"/>, through <see cref="OpenTelemetryMetricCollectorOptions.Diagnostic"/>
/// and as the <c>{prefix}_cardinality_overflow_metrics</c> gauge.
/// </para>
/// <para>
/// Also measured with 1.20.1: under cumulative temporality the SDK never reclaims the slot of an
/// attribute set, even one an observable instrument stopped reporting. The limit therefore bounds the
/// distinct attribute sets seen over the process lifetime, not the current ones: a port family whose
/// ports churn must be sized for every port it may ever report. (Delta temporality does reclaim, but
/// Prometheus counters and histograms need cumulative values, which is why this collector does not use it.)
/// </para>
/// </remarks>
public sealed class OpenTelemetryMetricCollector : IMetricFamilySource
{
    private readonly MetricFamilyExporter exporter;
    private readonly Lock collectLock = new();
    private readonly string? diagnosticPrefix;
    private readonly Action<string>? diagnostic;
    private readonly HashSet<string> reportedProblems = new(StringComparer.Ordinal);
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

        this.diagnostic = options.Diagnostic;
        this.exporter = new MetricFamilyExporter();
        this.Reader = new BaseExportingMetricReader(this.exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
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

            this.exporter.BeginCapture();
            bool collected;
            List<ConvertedMetric> metrics;
            int unsupported;
            try
            {
                collected = this.Reader.Collect();
            }
            finally
            {
                metrics = this.exporter.EndCapture(out unsupported);
            }

            if (!collected)
            {
                throw new InvalidOperationException("OpenTelemetry metric collection failed or timed out.");
            }

            return this.Assemble(metrics, unsupported);
        }
    }

    private List<MetricFamily> Assemble(List<ConvertedMetric> metrics, int unsupported)
    {
        var builder = new MetricFamilySetBuilder();
        string? conflictingName = null;
        string? overflowName = null;
        if (this.diagnosticPrefix is not null)
        {
            // Claim the diagnostic names first so that no application metric can shadow them.
            conflictingName = this.diagnosticPrefix + "_conflicting_metrics_dropped";
            overflowName = this.diagnosticPrefix + "_cardinality_overflow_metrics";
            builder.TryAdd(new ConvertedMetric("diagnostics", conflictingName, MetricFamilyType.Gauge, string.Empty, string.Empty, [], false), out _);
            builder.TryAdd(new ConvertedMetric("diagnostics", overflowName, MetricFamilyType.Gauge, string.Empty, string.Empty, [], false), out _);
        }

        var conflicts = 0;
        var overflowing = new List<string>();
        foreach (var metric in metrics)
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
                this.ReportOnce(
                    $"Metric '{metric.Source}' ({metric.Name}) reached its cardinality limit; further attribute sets are aggregated " +
                    "into the series labelled otel_metric_overflow=\"true\". Raise the limit with AddCardinalityLimit.");
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
            new MetricCollectionStatistics(families.Count, series, conflicts, overflowing, unsupported, duplicates));
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
