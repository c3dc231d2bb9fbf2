using System.Diagnostics.Metrics;
using System.Text;
using TcpState.Exposition;

namespace TcpState.Tests.Exposition;

/// <summary>Helpers shared by the tests that run <see cref="OpenTelemetryMetricCollector"/> against the SDK.</summary>
internal static class CollectorTestSupport
{
    public static Meter NewMeter() => new("TcpState.Tests.Exposition." + Guid.NewGuid().ToString("N"));

    public static int[] Range(int count)
    {
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = i;
        }

        return values;
    }

    public static List<Measurement<long>> Observe(int[] ports)
    {
        var measurements = new List<Measurement<long>>(ports.Length);
        foreach (var port in ports)
        {
            measurements.Add(new Measurement<long>(port * 10L, new KeyValuePair<string, object?>("port", port)));
        }

        return measurements;
    }

    public static MetricFamily Find(IReadOnlyList<MetricFamily> families, string name)
    {
        foreach (var family in families)
        {
            if (family.Name == name)
            {
                return family;
            }
        }

        throw new InvalidOperationException($"No family '{name}'.");
    }

    public static string Text(IReadOnlyList<MetricFamily> families) =>
        Encoding.UTF8.GetString(PrometheusTextSerializer.Serialize(families, ExpositionFormat.PrometheusText));
}
