using System.Runtime.InteropServices;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Turns the points one metric stream exports in successive collections into the series Prometheus
/// expects. The collector's reader uses delta temporality so that the SDK frees the slot of an
/// attribute set that stopped being reported (see <see cref="OpenTelemetryMetricCollector"/>); this
/// class restores the cumulative view, in the way <see cref="StreamAccumulation"/> describes for each
/// kind of stream. Not thread-safe: the converter calls it from one export at a time.
/// </summary>
internal sealed class MetricStreamAccumulator
{
    private readonly Dictionary<MetricLabel[], AccumulatedSeries> series = new(LabelSetComparer.Instance);
    private readonly List<MetricSample> passedThrough = [];
    private readonly bool isLong;
    private long lastBatch;
    private SeriesOverflow batchOverflow;
    private SeriesOverflow retainedOverflow;

    public MetricStreamAccumulator(string key, StreamAccumulation accumulation, MetricType metricType)
    {
        this.Key = key;
        this.Accumulation = accumulation;
        this.MetricType = metricType;
        this.isLong = metricType is MetricType.LongSum or MetricType.LongSumNonMonotonic or MetricType.LongGauge;
    }

    /// <summary>Gets the stream identity (meter, stream name, type and accumulation) that keys the stream in the converter.</summary>
    public string Key { get; }

    public StreamAccumulation Accumulation { get; }

    public MetricType MetricType { get; }

    public string Source { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    public MetricFamilyType Type { get; private set; }

    public string Help { get; private set; } = string.Empty;

    public string Unit { get; private set; } = string.Empty;

    /// <summary>Gets whether the stream was not in the latest batch and keeps no series, so the converter can forget it.</summary>
    /// <param name="collection">The latest collection.</param>
    /// <returns><see langword="true"/> when nothing would be lost by forgetting the stream.</returns>
    public bool IsIdle(long collection) => this.lastBatch != collection && this.series.Count == 0;

    /// <summary>Starts taking the points of <paramref name="collection"/>; called once per appearance in a batch.</summary>
    public void Begin(string source, string name, MetricFamilyType type, string help, string unit, long collection)
    {
        // The latest metadata wins, as it would if the SDK exported the stream itself.
        this.Source = source;
        this.Name = name;
        this.Type = type;
        this.Help = help;
        this.Unit = unit;
        if (this.lastBatch != collection)
        {
            this.lastBatch = collection;
            this.passedThrough.Clear();
            this.batchOverflow = SeriesOverflow.None;
        }
    }

    /// <summary>Takes one exported point.</summary>
    /// <param name="labels">The point's labels, normalized (for histograms, without <c>le</c>).</param>
    /// <param name="isOverflow">Whether this is the SDK's overflow point.</param>
    /// <param name="point">The point.</param>
    /// <param name="collection">The collection being converted.</param>
    public void Add(MetricLabel[] labels, bool isOverflow, in MetricPoint point, long collection)
    {
        if (isOverflow)
        {
            this.batchOverflow = SeriesOverflow.CardinalityLimit;
            this.retainedOverflow |= SeriesOverflow.CardinalityLimit;
        }

        if (this.Accumulation == StreamAccumulation.None)
        {
            this.passedThrough.Add(this.Type == MetricFamilyType.Histogram
                ? MetricSample.FromNormalized(labels, ReadHistogram(point))
                : MetricSample.FromNormalized(labels, this.ReadValue(point)));
            return;
        }

        if (!this.series.TryGetValue(labels, out var state))
        {
            state = new AccumulatedSeries(labels);
            this.series.Add(labels, state);
        }

        switch (this.Accumulation)
        {
            case StreamAccumulation.LastValue:
                if (this.isLong)
                {
                    state.LongValue = point.GetGaugeLastValueLong();
                }
                else
                {
                    state.DoubleValue = point.GetGaugeLastValueDouble();
                }

                break;
            case StreamAccumulation.Histogram:
                AddHistogram(state, point);
                break;
            default:
                // Sum and ObservedSum. For an observable counter the SDK's delta is the observed
                // total minus the total it exported last time for the same point, so adding it to
                // the previous total gives the observed total back (see CompleteObserved for when
                // the SDK starts a point over).
                if (this.isLong)
                {
                    state.LongValue = unchecked(state.LongValue + point.GetSumLong());
                }
                else
                {
                    state.DoubleValue += point.GetSumDouble();
                }

                break;
        }

        state.LastUpdated = collection;
        state.Sample = null;
    }

    /// <summary>Finishes a collection and returns what the stream exposes in it.</summary>
    /// <param name="collection">The collection being converted.</param>
    /// <param name="retainedSeriesLimit">How many series a stream that keeps series may keep, not counting the overflow series.</param>
    /// <param name="overflowLabels">The normalized labels of the overflow series.</param>
    /// <returns>The converted metric, or <see langword="null"/> when the stream exposes nothing in this collection.</returns>
    public ConvertedMetric? Complete(long collection, int retainedSeriesLimit, MetricLabel[] overflowLabels) => this.Accumulation switch
    {
        StreamAccumulation.None => this.lastBatch == collection
            ? this.ToConverted([.. this.passedThrough], this.batchOverflow, 0)
            : null,
        StreamAccumulation.ObservedSum => this.CompleteObserved(collection, overflowLabels),
        _ => this.CompleteRetained(collection, retainedSeriesLimit, overflowLabels),
    };

    private static void AddHistogram(AccumulatedSeries state, in MetricPoint point)
    {
        var bounds = new List<double>();
        var counts = new List<long>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
            counts.Add(bucket.BucketCount);
        }

        if (state.Bounds is null || state.BucketCounts is null
            || !state.Bounds.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(bounds)))
        {
            // The first point, or a stream recreated with other buckets (a new instrument under the
            // same name and another view): the old buckets cannot be added to, so start over.
            state.Bounds = [.. bounds];
            state.BucketCounts = [.. counts];
            state.Sum = point.GetHistogramSum();
            state.Count = point.GetHistogramCount();
            return;
        }

        for (var i = 0; i < counts.Count; i++)
        {
            state.BucketCounts[i] += counts[i];
        }

        state.Sum += point.GetHistogramSum();
        state.Count += point.GetHistogramCount();
    }

    private static MetricHistogram ReadHistogram(in MetricPoint point)
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

    private static bool IsNeverReclaimed(AccumulatedSeries state, MetricLabel[] overflowLabels) =>
        state.Labels.Length == 0 || LabelSetComparer.Instance.Equals(state.Labels, overflowLabels);

    private double ReadValue(in MetricPoint point) => this.MetricType switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
        MetricType.LongGauge => point.GetGaugeLastValueLong(),
        _ => point.GetGaugeLastValueDouble(),
    };

    private ConvertedMetric? CompleteObserved(long collection, MetricLabel[] overflowLabels)
    {
        // Only series observed by this collection are exposed, as with cumulative temporality. The
        // SDK reclaims the point of a series the callback did not report, so when that series comes
        // back its first delta is its whole observed total: forget it here too. The points without
        // attributes and the overflow point are never reclaimed (measured with 1.20.1), so their
        // deltas keep counting from the last exported total, which is kept even while unobserved.
        var samples = new List<MetricSample>();
        var overflow = SeriesOverflow.None;
        List<MetricLabel[]>? forgotten = null;
        foreach (var state in this.series.Values)
        {
            if (state.LastUpdated == collection)
            {
                samples.Add(state.Sample ??= this.CreateSample(state));
                if (state.Labels.Length > 0 && LabelSetComparer.Instance.Equals(state.Labels, overflowLabels))
                {
                    overflow = SeriesOverflow.CardinalityLimit;
                }
            }
            else if (!IsNeverReclaimed(state, overflowLabels))
            {
                (forgotten ??= []).Add(state.Labels);
            }
        }

        if (forgotten is not null)
        {
            foreach (var labels in forgotten)
            {
                this.series.Remove(labels);
            }
        }

        return this.lastBatch == collection || samples.Count > 0 ? this.ToConverted(samples, overflow, 0) : null;
    }

    private ConvertedMetric? CompleteRetained(long collection, int retainedSeriesLimit, MetricLabel[] overflowLabels)
    {
        var folded = this.FoldExcessSeries(collection, retainedSeriesLimit, overflowLabels);
        if (this.series.Count == 0 && this.lastBatch != collection)
        {
            return null;
        }

        var samples = new List<MetricSample>(this.series.Count);
        foreach (var state in this.series.Values)
        {
            samples.Add(state.Sample ??= this.CreateSample(state));
        }

        var overflow = this.series.ContainsKey(overflowLabels) ? this.retainedOverflow : SeriesOverflow.None;
        return this.ToConverted(samples, overflow, folded);
    }

    private int FoldExcessSeries(long collection, int retainedSeriesLimit, MetricLabel[] overflowLabels)
    {
        // Synchronous series are kept after their last update, like the SDK keeps them under cumulative
        // temporality, so a counter never vanishes and comes back reset. Beyond the limit the least
        // recently updated series are folded into the overflow series, as the SDK folds attribute sets
        // beyond its cardinality limit: memory stays bounded, the family's total is preserved, and the
        // overflow is visible. Series updated by this collection are never folded: the SDK's own
        // cardinality limit already bounds them.
        var hasOverflowSeries = this.series.ContainsKey(overflowLabels);
        var excess = this.series.Count - (hasOverflowSeries ? 1 : 0) - retainedSeriesLimit;
        if (excess <= 0)
        {
            return 0;
        }

        var stale = new List<AccumulatedSeries>();
        foreach (var state in this.series.Values)
        {
            if (state.LastUpdated != collection && !LabelSetComparer.Instance.Equals(state.Labels, overflowLabels))
            {
                stale.Add(state);
            }
        }

        if (stale.Count == 0)
        {
            return 0;
        }

        stale.Sort(static (x, y) =>
        {
            var result = x.LastUpdated.CompareTo(y.LastUpdated);
            return result != 0 ? result : LabelSetComparer.Compare(x.Labels, y.Labels);
        });

        if (!this.series.TryGetValue(overflowLabels, out var overflow))
        {
            overflow = new AccumulatedSeries(overflowLabels);
            this.series.Add(overflowLabels, overflow);
        }

        var count = Math.Min(excess, stale.Count);
        for (var i = 0; i < count; i++)
        {
            this.FoldInto(overflow, stale[i]);
            this.series.Remove(stale[i].Labels);
        }

        overflow.Sample = null;
        this.retainedOverflow |= SeriesOverflow.RetainedSeriesLimit;
        return count;
    }

    private void FoldInto(AccumulatedSeries overflow, AccumulatedSeries folded)
    {
        switch (this.Accumulation)
        {
            case StreamAccumulation.LastValue:
                // The SDK's overflow gauge holds the last value recorded into it; keep that rule.
                if (folded.LastUpdated >= overflow.LastUpdated)
                {
                    overflow.LongValue = folded.LongValue;
                    overflow.DoubleValue = folded.DoubleValue;
                    overflow.LastUpdated = folded.LastUpdated;
                }

                break;
            case StreamAccumulation.Histogram:
                if (overflow.Bounds is null || overflow.BucketCounts is null)
                {
                    overflow.Bounds = folded.Bounds;
                    overflow.BucketCounts = folded.BucketCounts is null ? null : [.. folded.BucketCounts];
                    overflow.Sum = folded.Sum;
                    overflow.Count = folded.Count;
                }
                else if (folded.Bounds is not null && folded.BucketCounts is not null
                    && overflow.Bounds.AsSpan().SequenceEqual(folded.Bounds))
                {
                    for (var i = 0; i < overflow.BucketCounts.Length; i++)
                    {
                        overflow.BucketCounts[i] += folded.BucketCounts[i];
                    }

                    overflow.Sum += folded.Sum;
                    overflow.Count += folded.Count;
                }

                break;
            default:
                overflow.LongValue = unchecked(overflow.LongValue + folded.LongValue);
                overflow.DoubleValue += folded.DoubleValue;
                break;
        }

        overflow.LastUpdated = Math.Max(overflow.LastUpdated, folded.LastUpdated);
    }

    private MetricSample CreateSample(AccumulatedSeries state)
    {
        if (this.Accumulation != StreamAccumulation.Histogram)
        {
            return MetricSample.FromNormalized(state.Labels, this.isLong ? state.LongValue : state.DoubleValue);
        }

        var bounds = state.Bounds ?? [];
        var counts = state.BucketCounts ?? [];
        var buckets = new List<MetricHistogramBucket>(bounds.Length);
        long cumulative = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            cumulative += counts[i];
            buckets.Add(new MetricHistogramBucket(bounds[i], cumulative));
        }

        return MetricSample.FromNormalized(state.Labels, new MetricHistogram(buckets, state.Sum, state.Count));
    }

    private ConvertedMetric ToConverted(List<MetricSample> samples, SeriesOverflow overflow, int folded) =>
        new(this.Source, this.Name, this.Type, this.Help, this.Unit, samples, overflow, folded);
}
