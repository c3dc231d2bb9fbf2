namespace TcpState.Exposition;

/// <summary>
/// The state the collector keeps for one series of a delta stream between collections (see
/// <see cref="MetricStreamAccumulator"/>): a running total or last value, or histogram buckets.
/// </summary>
internal sealed class AccumulatedSeries
{
    public AccumulatedSeries(MetricLabel[] labels)
    {
        this.Labels = labels;
    }

    /// <summary>Gets the normalized labels that key the series.</summary>
    public MetricLabel[] Labels { get; }

    /// <summary>Gets or sets the value of a stream of integers; kept as an integer so totals stay exact, as the SDK keeps them.</summary>
    public long LongValue { get; set; }

    /// <summary>Gets or sets the value of a stream of floating-point numbers.</summary>
    public double DoubleValue { get; set; }

    /// <summary>Gets or sets the histogram bucket bounds, the last being +Inf, or <see langword="null"/> before the first point.</summary>
    public double[]? Bounds { get; set; }

    /// <summary>Gets or sets the per-bucket (not cumulative) observation counts, parallel to <see cref="Bounds"/>.</summary>
    public long[]? BucketCounts { get; set; }

    /// <summary>Gets or sets the histogram sum.</summary>
    public double Sum { get; set; }

    /// <summary>Gets or sets the histogram count.</summary>
    public long Count { get; set; }

    /// <summary>Gets or sets the number of the collection that last updated the series.</summary>
    public long LastUpdated { get; set; }

    /// <summary>Gets or sets the sample for the current state, reused while the series does not change.</summary>
    public MetricSample? Sample { get; set; }
}
