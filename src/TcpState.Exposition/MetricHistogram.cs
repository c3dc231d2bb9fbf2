namespace TcpState.Exposition;

/// <summary>The value of one histogram series: cumulative buckets, sum and count.</summary>
public sealed class MetricHistogram
{
    private readonly MetricHistogramBucket[] buckets;

    /// <summary>Initializes a new histogram value.</summary>
    /// <param name="buckets">
    /// Buckets in strictly ascending order of upper bound with cumulative counts. A trailing
    /// <c>+Inf</c> bucket is optional: when it is missing, one is written with <paramref name="count"/>.
    /// </param>
    /// <param name="sum">The sum of all observations.</param>
    /// <param name="count">The number of observations.</param>
    public MetricHistogram(IReadOnlyList<MetricHistogramBucket> buckets, double sum, long count)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentOutOfRangeException.ThrowIfNegative(count);

        var copy = new MetricHistogramBucket[buckets.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var bucket = buckets[i];
            if (double.IsNaN(bucket.UpperBound) || (i > 0 && bucket.UpperBound <= copy[i - 1].UpperBound))
            {
                throw new ArgumentException("Bucket upper bounds must be strictly ascending and not NaN.", nameof(buckets));
            }

            copy[i] = bucket;
        }

        this.buckets = copy;
        this.Sum = sum;
        this.Count = count;
    }

    /// <summary>Gets the buckets, ascending by upper bound, with cumulative counts.</summary>
    public IReadOnlyList<MetricHistogramBucket> Buckets => this.buckets;

    /// <summary>Gets the sum of all observations.</summary>
    public double Sum { get; }

    /// <summary>Gets the number of observations.</summary>
    public long Count { get; }

    internal ReadOnlySpan<MetricHistogramBucket> BucketSpan => this.buckets;
}
