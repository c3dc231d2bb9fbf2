using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Dashboards;

/// <summary>The scanner behind the "only produced metrics, always job and instance" checks: it must not miss a metric.</summary>
public sealed class PromQlScannerTests
{
    [Fact]
    public void Selectors_AggregationsFunctionsAndJoins_FindsOnlyTheMetrics()
    {
        const string expression = """
            sum without (pid, state) (rate(tcpstate_samples_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))
            / on (job, instance) group_left (version) max by (job) (tcpstate_build_info offset 5m) > bool 0.5
            or up unless vector(1) and time() - node_load1{mode="a,b}c"} * 1e3
            """;

        var selectors = PromQlScanner.Selectors(expression);

        Assert.Equal(["tcpstate_samples_total", "tcpstate_build_info", "up", "node_load1"], selectors.Select(s => s.Metric));
        Assert.True(selectors[0].Has("job", "=~", "$job"));
        Assert.True(selectors[0].Has("instance", "=~", "$instance"));
        Assert.Empty(selectors[1].Matchers);
        Assert.True(selectors[3].Has("mode", "=", "a,b}c"));
    }

    [Fact]
    public void Selectors_RecordingRuleNameAndBareMatchers_AreReported()
    {
        var selectors = PromQlScanner.Selectors("""deriv(instance_process:x:sum{job="j"}[30m]) + count({__name__=~"tcpstate_.+"})""");

        Assert.Equal(["instance_process:x:sum", string.Empty], selectors.Select(s => s.Metric));
    }
}
