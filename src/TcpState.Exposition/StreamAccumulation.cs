namespace TcpState.Exposition;

/// <summary>
/// How the collector turns one metric stream's delta points into the cumulative values Prometheus
/// expects (see the remarks of <see cref="OpenTelemetryMetricCollector"/>).
/// </summary>
internal enum StreamAccumulation
{
    /// <summary>
    /// Export the points of the latest collection as they are: cumulative streams (UpDownCounters,
    /// which the SDK keeps cumulative even under delta preference) and observable gauges.
    /// </summary>
    None,

    /// <summary>
    /// Observable counters: rebuild the total the callback observed from the SDK's delta, and, as
    /// with cumulative temporality, expose only the series observed by the latest collection.
    /// </summary>
    ObservedSum,

    /// <summary>Synchronous counters: add up the deltas and keep every series between collections.</summary>
    Sum,

    /// <summary>Synchronous gauges: keep the last recorded value of every series between collections.</summary>
    LastValue,

    /// <summary>Histograms: add up the delta buckets, sum and count, and keep every series between collections.</summary>
    Histogram,
}
