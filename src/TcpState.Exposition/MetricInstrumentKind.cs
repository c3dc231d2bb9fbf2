using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Tells whether a metric stream comes from an observable instrument. Under delta temporality the
/// SDK exports a point only when it was updated since the previous collection, and the meaning of a
/// missing point depends on the instrument: an observable gauge or counter did not observe that
/// series (it must disappear, as with cumulative temporality), while a synchronous counter, gauge or
/// histogram merely had no new measurement (the series must stay). <see cref="Metric"/> does not say
/// which, so a <see cref="MeterListener"/> (public API, trim-safe) records
/// <see cref="Instrument.IsObservable"/> for every instrument as it is published; it never enables
/// measurement events, so it costs nothing per measurement.
/// </summary>
internal static class MetricInstrumentKind
{
    private static readonly ConcurrentDictionary<(string Meter, string Instrument), bool> Observable = new();
    private static readonly MeterListener Listener = CreateListener();

    /// <summary>Gets whether instrument kinds are being recorded (always, once the type is initialised).</summary>
    public static bool IsAvailable => Listener is not null;

    /// <summary>Gets whether <paramref name="metric"/> comes from an observable instrument.</summary>
    /// <param name="metric">The metric stream.</param>
    /// <returns>
    /// The instrument kind; for a stream whose instrument was never seen (a view renamed it), a
    /// guess from the metric type: gauges are assumed observable (a series that was not observed
    /// disappears) and sums and histograms synchronous.
    /// </returns>
    public static bool IsObservable(Metric metric) =>
        Observable.TryGetValue((metric.MeterName, metric.Name), out var observable)
            ? observable
            : metric.MetricType is MetricType.LongGauge or MetricType.DoubleGauge;

    private static MeterListener CreateListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, _) => Observable[(instrument.Meter.Name, instrument.Name)] = instrument.IsObservable,
        };
        listener.Start();
        return listener;
    }
}
