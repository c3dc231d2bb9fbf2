using System.Globalization;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Dashboards;

/// <summary>
/// Every query of every dashboard, with its variables expanded as Grafana would, run through a real Prometheus
/// that scrapes the real exporter watching known sockets (<see cref="MonitoringStack"/>).
/// </summary>
[Collection(MonitoringStackCollection.Name)]
public sealed class DashboardQueriesEndToEndTests
{
    private readonly MonitoringStack _stack;

    public DashboardQueriesEndToEndTests(MonitoringStack stack) => _stack = stack;

    private static string Holder => SocketHolderProcess.ExpectedProcessName;

    private static string ServerPort => MonitoringStack.ServerPort.ToString(CultureInfo.InvariantCulture);

    private static string RemotePort => MonitoringStack.RemotePort.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void PanelQueries_Every_EvaluateWithoutErrorAsInstantAndRangeQueries()
    {
        var panelCount = GrafanaDashboard.LoadAll().Sum(d => d.Panels.Sum(p => p.Targets.Count));

        Assert.Equal(panelCount, _stack.PanelResults.Count);
        Assert.All(_stack.PanelResults, r =>
        {
            Assert.True(r.Instant.GetProperty("status").GetString() == "success", r.ToString());
            Assert.True(r.Range.GetProperty("status").GetString() == "success", r.ToString());
            Assert.False(r.Instant.TryGetProperty("warnings", out _), r.ToString());
        });
    }

    [Fact]
    public void PanelQueries_Every_ReturnsDataForTheTestHost()
    {
        // The test host has every kind of socket the dashboards look at, so an empty panel is a broken query.
        Assert.All(_stack.PanelResults, r => Assert.True(r.Series.Count > 0, r.ToString()));
    }

    [Fact]
    public void CloseWaitPanels_TestSockets_ShowTheHolderProcessPortCountAndAge()
    {
        var cw = MonitoringStack.CloseWaitSockets;

        foreach (var file in new[] { "tcpstate-overview.json", "tcpstate-close-wait.json" })
        {
            AtLeast(Result(file, "CLOSE_WAIT sockets"), cw);
            AtLeast(Result(file, "Stuck CLOSE_WAIT sockets"), cw);
            AtLeast(Result(file, "Oldest CLOSE_WAIT"), 2);
        }

        AtLeast(Result("tcpstate-overview.json", "Sockets by state"), cw, ("state", "close_wait"));
        AtLeast(Result("tcpstate-overview.json", "Teardown states"), cw, ("state", "close_wait"));
        var group = new[] { ("process", Holder), ("role", "server"), ("port", ServerPort) };
        Exactly(Result("tcpstate-close-wait.json", "Top offenders", "A"), cw, group);
        AtLeast(Result("tcpstate-close-wait.json", "Top offenders", "B"), 2, group);
        Exactly(Result("tcpstate-close-wait.json", "Top offenders", "C"), cw, group);
        Exactly(Result("tcpstate-close-wait.json", "CLOSE_WAIT by process"), cw, ("process", Holder));
        Exactly(Result("tcpstate-close-wait.json", "CLOSE_WAIT by port"), cw, group);
        Exactly(Result("tcpstate-close-wait.json", "Stuck CLOSE_WAIT by process and port"), cw, group);
        AtLeast(Result("tcpstate-close-wait.json", "Oldest CLOSE_WAIT age"), 2, group);
        Assert.Single(Result("tcpstate-close-wait.json", "CLOSE_WAIT growth per process").ValuesWhere(("process", Holder)));
        Exactly(Result("tcpstate-close-wait.json", "Stuck threshold"), 2);
    }

    [Fact]
    public void TimeWaitPanels_TestSockets_ShowTheListenerAndTheRemoteService()
    {
        var tw = MonitoringStack.TimeWaitSockets;

        AtLeast(Result("tcpstate-overview.json", "TIME_WAIT sockets"), 2 * tw);
        AtLeast(Result("tcpstate-overview.json", "Sockets by state"), 2 * tw, ("state", "time_wait"));
        AtLeast(Result("tcpstate-time-wait.json", "TIME_WAIT sockets"), 2 * tw);
        AtLeast(Result("tcpstate-time-wait.json", "Server side"), tw);
        AtLeast(Result("tcpstate-time-wait.json", "Client side"), tw);
        // Server side: the holder's listener owns its TIME_WAIT sockets; client side: only the remote port names them.
        Exactly(Result("tcpstate-time-wait.json", "Server side: TIME_WAIT by listening port"), tw, ("port", ServerPort), ("process", Holder));
        Exactly(Result("tcpstate-time-wait.json", "Client side: TIME_WAIT by remote port"), tw, ("port", RemotePort));
        Exactly(Result("tcpstate-time-wait.json", "Churn: connections closed per second (estimate)"), tw / 60.0, ("role", "client"), ("port", RemotePort));
    }

    [Fact]
    public void EphemeralPortPanels_SmallRangeInTheTestNamespace_ShowItsSizeAndTheDestinationTheHolderCalled()
    {
        const string file = "tcpstate-time-wait.json";
        var held = MonitoringStack.TimeWaitSockets;
        var size = MonitoringStack.EphemeralPortRangeSize;
        var share = (double)held / size;
        var destination = new[] { ("address", MonitoringStack.RemoteAddress), ("port", RemotePort) };

        // The namespace's 100-port range as the exporter read it: no panel assumes Linux's default.
        Exactly(Result(file, "Ephemeral range size"), size);
        // The holder's client sockets toward 127.0.0.1:9090 are its TIME_WAIT ones, one ephemeral port each.
        Exactly(Result(file, "Ephemeral ports held per destination", "A"), share, destination);
        Exactly(Result(file, "Ephemeral ports held per destination", "B"), held, destination);
        Exactly(Result(file, "Ephemeral ports held per destination", "C"), held, destination);
        Exactly(Result(file, "Share of the ephemeral port range, by destination"), share, destination);
        // Other destinations (the full listener's 3 clients, the CLOSE_WAIT peers) may hold more.
        AtLeast(Result(file, "Largest share of the ephemeral range"), share);
    }

    [Fact]
    public void ListenQueueAndHealthPanels_FullListenerAndHealthyExporter_ShowQueueOverLimitAndSuccess()
    {
        var port = ("port", MonitoringStack.FullListenerPort.ToString(CultureInfo.InvariantCulture));
        const string file = "tcpstate-listen-queues-health.json";

        // backlog=1 and 3 clients: the kernel queues backlog + 1 = 2 connections.
        Exactly(Result(file, "Accept queue fill by port"), 2, port);
        Exactly(Result(file, "Accept queues now", "A"), 2, port);
        Exactly(Result(file, "Accept queues now", "B"), 1, port);
        Exactly(Result(file, "Last sample"), 1);
        Assert.Single(Result(file, "Socket source").ValuesWhere(("source", "netlink")));
        Assert.InRange(Assert.Single(Result(file, "Last sample age").ValuesWhere()), -5, 10);
    }

    [Fact]
    public void VariableQueries_Prometheus_OfferTheTestJobAndInstance()
    {
        // label_values(tcpstate_build_info, job) and label_values(tcpstate_build_info{job=~"$job"}, instance).
        var jobs = _stack.Server.Get("/api/v1/label/job/values?match[]=" + Uri.EscapeDataString("tcpstate_build_info"));
        var instances = _stack.Server.Get("/api/v1/label/instance/values?match[]=" + Uri.EscapeDataString($"tcpstate_build_info{{job=~\"{MonitoringStack.Job}\"}}"));

        Assert.Contains(MonitoringStack.Job, jobs.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains(MonitoringStack.Instance, instances.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void MetricNames_UsedByDashboardsAndRules_AreScrapedFromTheRealExporter()
    {
        var scraped = _stack.Server.Get("/api/v1/label/__name__/values").GetProperty("data").EnumerateArray()
            .Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal);
        var used = GrafanaDashboard.LoadAll().SelectMany(d => d.Panels).SelectMany(p => p.Targets)
            .Select(t => t.Expression)
            .Concat(PrometheusRulesFile.Load(RepositoryFiles.RulesFile).Rules.Select(r => r.Expression))
            .SelectMany(PromQlScanner.MetricNames)
            .ToHashSet(StringComparer.Ordinal);

        // Recorded series are in the TSDB too, so everything used must be there.
        Assert.All(used, name => Assert.True(scraped.Contains(name), $"'{name}' is used but Prometheus has no such series; it has {string.Join(", ", scraped.Order(StringComparer.Ordinal))}"));
        Assert.Subset(scraped, ExporterMetricNames.All.Where(used.Contains).ToHashSet(StringComparer.Ordinal));
    }

    // The result of target 'refId' of the panel titled 'title' (titles are unique within a dashboard).
    private PanelQueryResult Result(string file, string title, string refId = "A")
    {
        var matches = _stack.PanelResults
            .Where(r => r.Panel.DashboardFile == file && r.Panel.Title == title && r.Target.RefId == refId)
            .ToList();
        Assert.True(matches.Count == 1, $"{file}: expected one panel '{title}' [{refId}], found {matches.Count}");
        return matches[0];
    }

    private static void Exactly(PanelQueryResult result, double expected, params (string Label, string Value)[] labels)
    {
        var value = Assert.Single(result.ValuesWhere(labels));
        Assert.True(Math.Abs(value - expected) < 1e-9, $"expected {expected}, got {value}: {result}");
    }

    private static void AtLeast(PanelQueryResult result, double minimum, params (string Label, string Value)[] labels)
    {
        var value = Assert.Single(result.ValuesWhere(labels));
        Assert.True(value >= minimum, $"expected at least {minimum}, got {value}: {result}");
    }
}
