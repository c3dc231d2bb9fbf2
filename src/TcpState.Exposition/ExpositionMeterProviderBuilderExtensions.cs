using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>Meter provider wiring for the Prometheus exposition.</summary>
public static class ExpositionMeterProviderBuilderExtensions
{
    /// <summary>Adds the collector's reader, so that scrapes can collect from this provider.</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="collector">The collector; its reader may be added to one provider only.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddPrometheusExposition(this MeterProviderBuilder builder, OpenTelemetryMetricCollector collector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        return builder.AddReader(collector.Reader);
    }

    /// <summary>
    /// Sets the maximum number of attribute sets (series) of the matching instruments, replacing the
    /// SDK default of 2000. Uses a view with <see cref="MetricStreamConfiguration.CardinalityLimit"/>,
    /// the stable API in OpenTelemetry 1.20 (<c>SetMaxMetricPointsPerMetricStream</c> is obsolete).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The collector's reader uses delta temporality, under which the SDK frees the slot of an attribute
    /// set at the first collection that does not see it, after that collection's callbacks ran. The
    /// limit must therefore cover the attribute sets reported in two consecutive collections (e.g. twice
    /// the live series of a family whose series can all change between scrapes), not every attribute set
    /// ever seen. UpDownCounters are the exception: the SDK keeps them cumulative, so their limit must
    /// cover every attribute set they may ever report. For a synchronous Counter, Histogram or Gauge,
    /// also raise <see cref="OpenTelemetryMetricCollectorOptions.RetainedSeriesLimit"/>, which bounds the
    /// series the collector keeps for it between collections.
    /// </para>
    /// <para>
    /// Every view that matches an instrument creates its own stream, so do not combine this with
    /// another view for the same instrument: put both settings in one <see cref="MetricStreamConfiguration"/> instead.
    /// </para>
    /// </remarks>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="instrumentName">The instrument name; <c>*</c> and <c>?</c> wildcards are allowed, e.g. <c>tcpstate.port.*</c>.</param>
    /// <param name="cardinalityLimit">The maximum number of series, at least 1.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddCardinalityLimit(this MeterProviderBuilder builder, string instrumentName, int cardinalityLimit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(instrumentName);
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinalityLimit, 1);
        return builder.AddView(instrumentName, new MetricStreamConfiguration { CardinalityLimit = cardinalityLimit });
    }
}
