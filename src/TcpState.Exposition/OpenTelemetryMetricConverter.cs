using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Converts an OpenTelemetry metric batch into Prometheus terms. Not thread-safe: the collector
/// calls it from inside <c>MetricReader.Collect</c>, one collection at a time.
/// </summary>
internal sealed class OpenTelemetryMetricConverter
{
    /// <summary>The attribute the SDK puts on the series that aggregates measurements beyond the cardinality limit.</summary>
    internal const string OverflowAttributeKey = "otel.metric.overflow";

    // Bounded like the official exporter's cache, in case instruments are created without end.
    private const int MaxCachedEntries = 4096;

    private readonly Dictionary<Metric, MetricIdentity> identities = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, string> labelNames = new(StringComparer.Ordinal);

    /// <summary>Converts every metric of <paramref name="batch"/> that Prometheus text can express.</summary>
    /// <param name="batch">The batch the SDK exported.</param>
    /// <param name="unsupported">How many metrics were skipped (exponential histograms).</param>
    /// <returns>The converted metrics in batch order, which is the order instruments were registered.</returns>
    public List<ConvertedMetric> Convert(in Batch<Metric> batch, out int unsupported)
    {
        var converted = new List<ConvertedMetric>();
        unsupported = 0;
        foreach (var metric in batch)
        {
            var identity = this.GetIdentity(metric);
            if (identity is null)
            {
                unsupported++;
                continue;
            }

            var samples = new List<MetricSample>();
            var hasOverflow = false;
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var labels = this.GetLabels(point.Tags, ref hasOverflow);
                samples.Add(identity.Type == MetricFamilyType.Histogram
                    ? new MetricSample(labels, GetHistogram(point))
                    : new MetricSample(labels, GetValue(metric.MetricType, point)));
            }

            // Without a description, the instrument name becomes the help text: promtool's lint
            // (which the end-to-end tests run) rejects families without help.
            var help = string.IsNullOrEmpty(metric.Description) ? metric.Name : metric.Description;
            converted.Add(new ConvertedMetric(identity.Source, identity.Name, identity.Type, help, identity.Unit, samples, hasOverflow));
        }

        return converted;
    }

    internal static MetricFamilyType? GetFamilyType(MetricType metricType) => metricType switch
    {
        MetricType.LongSum or MetricType.DoubleSum => MetricFamilyType.Counter,

        // UpDownCounters are not monotonic, so Prometheus sees them as gauges.
        MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => MetricFamilyType.Gauge,
        MetricType.LongGauge or MetricType.DoubleGauge => MetricFamilyType.Gauge,
        MetricType.Histogram => MetricFamilyType.Histogram,
        _ => null,
    };

    internal static string FormatAttributeValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static double GetValue(MetricType metricType, in MetricPoint point) => metricType switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
        MetricType.LongGauge => point.GetGaugeLastValueLong(),
        _ => point.GetGaugeLastValueDouble(),
    };

    private static MetricHistogram GetHistogram(in MetricPoint point)
    {
        var buckets = new List<MetricHistogramBucket>();
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            // The SDK reports per-bucket counts; Prometheus buckets are cumulative.
            cumulative += bucket.BucketCount;
            buckets.Add(new MetricHistogramBucket(bucket.ExplicitBound, cumulative));
        }

        return new MetricHistogram(buckets, point.GetHistogramSum(), point.GetHistogramCount());
    }

    private MetricIdentity? GetIdentity(Metric metric)
    {
        if (this.identities.TryGetValue(metric, out var identity))
        {
            return identity;
        }

        var type = GetFamilyType(metric.MetricType);
        if (type is null)
        {
            return null;
        }

        identity = new MetricIdentity(
            metric.MeterName + "/" + metric.Name,
            PrometheusNaming.GetMetricFamilyName(metric.Name, metric.Unit, type.Value),
            type.Value,
            PrometheusNaming.GetUnit(metric.Unit, type.Value));

        if (this.identities.Count < MaxCachedEntries)
        {
            this.identities.Add(metric, identity);
        }

        return identity;
    }

    private MetricLabel[] GetLabels(ReadOnlyTagCollection tags, ref bool hasOverflow)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        var labels = new MetricLabel[tags.Count];
        var index = 0;
        foreach (var tag in tags)
        {
            hasOverflow |= tag.Key == OverflowAttributeKey;
            labels[index++] = new MetricLabel(this.GetLabelName(tag.Key), FormatAttributeValue(tag.Value));
        }

        return labels;
    }

    private string GetLabelName(string key)
    {
        if (this.labelNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = PrometheusNaming.SanitizeLabelName(key);
        if (this.labelNames.Count < MaxCachedEntries)
        {
            this.labelNames.Add(key, name);
        }

        return name;
    }

    private sealed record MetricIdentity(string Source, string Name, MetricFamilyType Type, string Unit);
}
