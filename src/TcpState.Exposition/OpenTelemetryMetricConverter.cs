using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Converts the SDK's metric batches into Prometheus terms, keeping per stream what delta
/// temporality needs between collections (see <see cref="MetricStreamAccumulator"/>). Not
/// thread-safe: the exporter calls it from one export at a time.
/// </summary>
internal sealed class OpenTelemetryMetricConverter
{
    /// <summary>The attribute the SDK puts on the series that aggregates measurements beyond the cardinality limit.</summary>
    internal const string OverflowAttributeKey = "otel.metric.overflow";

    // Bounded like the official exporter's cache, in case instruments are created without end.
    private const int MaxCachedEntries = 4096;

    private readonly Dictionary<Metric, MetricIdentity> identities = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, string> labelNames = new(StringComparer.Ordinal);

    // Keyed by stream identity rather than by Metric object, so that an instrument created again
    // under the same name continues its series instead of exposing the old ones next to the new.
    private readonly Dictionary<string, MetricStreamAccumulator> streamsByKey = new(StringComparer.Ordinal);

    // The streams in the order the SDK exports them, including those absent from the latest batch
    // because nothing updated them: that order decides which metric wins a name conflict.
    private readonly List<MetricStreamAccumulator> streams = [];
    private readonly int retainedSeriesLimit;
    private readonly MetricLabel[] overflowLabels;
    private long collection;

    /// <summary>Initializes a new converter.</summary>
    /// <param name="retainedSeriesLimit">See <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/>.</param>
    public OpenTelemetryMetricConverter(int retainedSeriesLimit)
    {
        this.retainedSeriesLimit = retainedSeriesLimit;
        this.overflowLabels = PrometheusNaming.NormalizeLabels(
            [new MetricLabel(PrometheusNaming.SanitizeLabelName(OverflowAttributeKey), FormatAttributeValue(true))],
            reservedName: null);
    }

    /// <summary>Converts every metric of <paramref name="batch"/> that Prometheus text can express.</summary>
    /// <param name="batch">The batch the SDK exported; each batch is one collection.</param>
    /// <returns>
    /// The converted metrics: those of the batch, plus the series kept from earlier collections of
    /// streams that had no update in this one.
    /// </returns>
    public ConvertedBatch Convert(in Batch<Metric> batch)
    {
        var collection = ++this.collection;
        var unsupported = 0;
        var batchStreams = new List<MetricStreamAccumulator>();
        HashSet<MetricStreamAccumulator>? added = null;
        foreach (var metric in batch)
        {
            var identity = this.GetIdentity(metric);
            if (identity is null)
            {
                unsupported++;
                continue;
            }

            if (!this.streamsByKey.TryGetValue(identity.StreamKey, out var stream))
            {
                stream = new MetricStreamAccumulator(identity.StreamKey, identity.Accumulation, metric.MetricType);
                this.streamsByKey.Add(identity.StreamKey, stream);
                (added ??= []).Add(stream);
            }

            batchStreams.Add(stream);
            stream.Begin(identity.Source, identity.Name, identity.Type, identity.Help, identity.Unit, collection);
            var reservedLabel = identity.Type == MetricFamilyType.Histogram ? MetricSample.HistogramBoundLabelName : null;
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var isOverflow = false;
                var labels = PrometheusNaming.NormalizeLabels(this.GetLabels(point.Tags, ref isOverflow), reservedLabel);
                stream.Add(labels, isOverflow, in point, collection);
            }
        }

        if (added is not null)
        {
            this.InsertNewStreams(batchStreams, added);
        }

        var converted = new List<ConvertedMetric>();
        var folded = 0;
        var idle = 0;
        foreach (var stream in this.streams)
        {
            if (stream.Complete(collection, this.retainedSeriesLimit, this.overflowLabels) is { } metric)
            {
                converted.Add(metric);
                folded += metric.RetainedSeriesFolded;
            }

            idle += stream.IsIdle(collection) ? 1 : 0;
        }

        if (idle > 0)
        {
            // Streams that keep nothing (observable gauges, UpDownCounters) and were not in this
            // batch are forgotten, so instruments created without end cannot grow this list.
            this.streams.RemoveAll(stream =>
            {
                var remove = stream.IsIdle(collection);
                if (remove)
                {
                    this.streamsByKey.Remove(stream.Key);
                }

                return remove;
            });
        }

        return new ConvertedBatch(converted, unsupported, folded);
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

    private static StreamAccumulation GetAccumulation(Metric metric)
    {
        // Cumulative streams (UpDownCounters: the SDK keeps them cumulative under delta preference)
        // already carry the values Prometheus expects.
        if (metric.Temporality != AggregationTemporality.Delta)
        {
            return StreamAccumulation.None;
        }

        var observable = MetricInstrumentKind.IsObservable(metric);
        return metric.MetricType switch
        {
            MetricType.LongGauge or MetricType.DoubleGauge => observable ? StreamAccumulation.None : StreamAccumulation.LastValue,
            MetricType.Histogram => StreamAccumulation.Histogram,
            _ => observable ? StreamAccumulation.ObservedSum : StreamAccumulation.Sum,
        };
    }

    private static string GetStreamKey(Metric metric, StreamAccumulation accumulation)
    {
        // Length-prefixed parts, so that no name or tag can make two different streams collide.
        var key = new StringBuilder();
        Append(key, metric.MeterName);
        Append(key, metric.MeterVersion);
        if (metric.MeterTags is { } tags)
        {
            foreach (var tag in tags)
            {
                Append(key, tag.Key);
                Append(key, FormatAttributeValue(tag.Value));
            }
        }

        Append(key, metric.Name);
        Append(key, metric.MetricType.ToString());
        Append(key, accumulation.ToString());
        return key.ToString();

        static void Append(StringBuilder builder, string? part) =>
            builder.Append(CultureInfo.InvariantCulture, $"{part?.Length ?? -1}:{part};");
    }

    private void InsertNewStreams(List<MetricStreamAccumulator> batchStreams, HashSet<MetricStreamAccumulator> added)
    {
        // A stream seen for the first time goes right after the stream before it in the batch (the
        // SDK exports in registration order), or before the first known stream after it.
        for (var i = 0; i < batchStreams.Count; i++)
        {
            var stream = batchStreams[i];
            if (!added.Remove(stream))
            {
                continue;
            }

            if (i > 0)
            {
                this.streams.Insert(this.streams.IndexOf(batchStreams[i - 1]) + 1, stream);
                continue;
            }

            var next = -1;
            for (var j = 1; j < batchStreams.Count && next < 0; j++)
            {
                if (!added.Contains(batchStreams[j]))
                {
                    next = this.streams.IndexOf(batchStreams[j]);
                }
            }

            this.streams.Insert(next < 0 ? this.streams.Count : next, stream);
        }
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

        var accumulation = GetAccumulation(metric);

        // Without a description, the instrument name becomes the help text: promtool's lint
        // (which the end-to-end tests run) rejects families without help.
        identity = new MetricIdentity(
            metric.MeterName + "/" + metric.Name,
            PrometheusNaming.GetMetricFamilyName(metric.Name, metric.Unit, type.Value),
            type.Value,
            PrometheusNaming.GetUnit(metric.Unit, type.Value),
            string.IsNullOrEmpty(metric.Description) ? metric.Name : metric.Description,
            GetStreamKey(metric, accumulation),
            accumulation);

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

    private sealed record MetricIdentity(
        string Source,
        string Name,
        MetricFamilyType Type,
        string Unit,
        string Help,
        string StreamKey,
        StreamAccumulation Accumulation);
}
