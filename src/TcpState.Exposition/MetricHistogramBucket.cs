namespace TcpState.Exposition;

/// <summary>One histogram bucket: the inclusive upper bound and the cumulative count of observations up to it.</summary>
/// <param name="UpperBound">The inclusive upper bound (<c>le</c>); may be <see cref="double.PositiveInfinity"/>.</param>
/// <param name="CumulativeCount">The number of observations less than or equal to <paramref name="UpperBound"/>.</param>
public readonly record struct MetricHistogramBucket(double UpperBound, long CumulativeCount);
