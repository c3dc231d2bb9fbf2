namespace TcpState.Exposition;

/// <summary>The Prometheus type of a <see cref="MetricFamily"/>.</summary>
public enum MetricFamilyType
{
    /// <summary>A value that can go up and down.</summary>
    Gauge,

    /// <summary>A monotonically increasing value; samples are exposed with a <c>_total</c> suffix.</summary>
    Counter,

    /// <summary>Cumulative buckets plus <c>_sum</c> and <c>_count</c>.</summary>
    Histogram,
}
