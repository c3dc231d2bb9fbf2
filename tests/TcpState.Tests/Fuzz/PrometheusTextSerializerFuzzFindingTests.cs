using System.Text;
using TcpState.Exposition;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// A bug found while choosing label names for the exposition fuzz generators: MetricLabel
/// documents that names may contain any characters and MetricSample sanitizes them into valid
/// label names, but <c>__name__</c> is already valid by the character rule and is reserved by the
/// text format: Prometheus' parser (and so promtool and every scrape) rejects the whole exposition.
/// The exporter's own instruments never use it; an attribute key of that name would.
/// </summary>
public class PrometheusTextSerializerFuzzFindingTests
{
    [Fact]
    public void Serialize_LabelNamedLikeTheReservedNameLabel_PassesPromtool()
    {
        var family = new MetricFamily("fuzz_reserved_label", MetricFamilyType.Gauge, "A label whose name is reserved.", null,
            [new MetricSample([new MetricLabel("__name__", "x"), new MetricLabel("process", "nginx")], 1)]);

        var text = PrometheusTextSerializer.Serialize([family], ExpositionFormat.PrometheusText);
        var check = Promtool.CheckMetrics(text);

        Assert.True(check.ExitCode == 0, $"promtool check metrics: {check.StandardOutput}{check.StandardError}\n{Encoding.UTF8.GetString(text)}");
    }
}
