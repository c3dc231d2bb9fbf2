using System.Reflection;
using OpenTelemetry.Metrics;

namespace TcpState.Exposition;

/// <summary>
/// Tells whether a metric stream comes from an observable instrument. Under delta temporality the
/// SDK exports a point only when it was updated since the previous collection, and the meaning of a
/// missing point depends on the instrument: an observable gauge or counter did not observe that
/// series (it must disappear, as with cumulative temporality), while a synchronous counter, gauge or
/// histogram merely had no new measurement (the series must stay). <see cref="Metric"/> has no public
/// member that tells them apart (both kinds share <see cref="MetricType"/> and temporality), so this
/// reads <c>Metric.InstrumentIdentity.IsAsynchronous</c>, an internal member of OpenTelemetry 1.20.1.
/// </summary>
/// <remarks>
/// The SDK version is pinned centrally and the collector tests fail if this stops working. Should an
/// upgrade remove the member, <see cref="IsAvailable"/> turns false, the collector reports it through its
/// diagnostic callback, and <see cref="IsObservable"/> falls back to guessing from the metric type.
/// </remarks>
internal static class MetricInstrumentKind
{
    private static readonly PropertyInfo? IdentityProperty =
        typeof(Metric).GetProperty("InstrumentIdentity", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly PropertyInfo? IsAsynchronousProperty = GetIsAsynchronousProperty();

    /// <summary>Gets whether the instrument kind can be read from this OpenTelemetry version.</summary>
    public static bool IsAvailable => IsAsynchronousProperty is not null;

    /// <summary>Gets whether <paramref name="metric"/> comes from an observable instrument.</summary>
    /// <param name="metric">The metric stream.</param>
    /// <returns>
    /// The instrument kind, or when it cannot be read a guess from the metric type: gauges are assumed
    /// observable (a series that was not observed disappears) and sums and histograms synchronous.
    /// </returns>
    public static bool IsObservable(Metric metric)
    {
        if (IsAsynchronousProperty is not null
            && IdentityProperty!.GetValue(metric) is { } identity
            && IsAsynchronousProperty.GetValue(identity) is bool observable)
        {
            return observable;
        }

        return metric.MetricType is MetricType.LongGauge or MetricType.DoubleGauge;
    }

    private static PropertyInfo? GetIsAsynchronousProperty()
    {
        var property = IdentityProperty?.PropertyType.GetProperty(
            "IsAsynchronous",
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        return property?.PropertyType == typeof(bool) && property.GetMethod is not null ? property : null;
    }
}
