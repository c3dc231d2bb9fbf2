using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Alerts;

/// <summary>
/// The shipped rules, with 'for' and thresholds shortened, loaded into a real Prometheus that scrapes the real
/// exporter watching real CLOSE_WAIT, TIME_WAIT and full-queue sockets in a namespace with a small ephemeral port
/// range (<see cref="MonitoringStack"/>).
/// </summary>
[Collection(MonitoringStackCollection.Name)]
public sealed class AlertsEndToEndTests
{
    private static readonly TimeSpan FiringTimeout = TimeSpan.FromSeconds(30);

    private readonly MonitoringStack _stack;

    public AlertsEndToEndTests(MonitoringStack stack) => _stack = stack;

    [Fact]
    public void Alerts_StuckCloseWaitSockets_WarningAndCriticalFireWithTheHolderProcessAndPort()
    {
        var holder = SocketHolderProcess.ExpectedProcessName;
        var port = MonitoringStack.ServerPort.ToString(CultureInfo.InvariantCulture);

        var alerts = WaitForFiring(a => Label(a, "alertname") == "TcpStateCloseWaitStuck" && Label(a, "process") == holder, 2);

        Assert.Equal(["critical", "warning"], alerts.Select(a => Label(a, "severity")).Order(StringComparer.Ordinal));
        Assert.All(alerts, alert =>
        {
            Assert.Equal(MonitoringStack.Job, Label(alert, "job"));
            Assert.Equal(MonitoringStack.Instance, Label(alert, "instance"));
            Assert.Equal("close_wait", Label(alert, "state"));
            Assert.Equal("server", Label(alert, "role"));
            Assert.Equal(port, Label(alert, "port"));
            var description = Annotation(alert, "description");
            Assert.StartsWith($"{MonitoringStack.CloseWaitSockets} CLOSE_WAIT socket", description, StringComparison.Ordinal);
            Assert.Contains($"process \"{holder}\" on its port {port} on {MonitoringStack.Instance}", description, StringComparison.Ordinal);
            // The template's query of the exporter's threshold found the 2 s the exporter runs with.
            Assert.Contains("stuck threshold (2s)", description, StringComparison.Ordinal);
            Assert.Equal(RulesFileTests.RunbookUrlPrefix + "tcpstateclosewaitstuck", Annotation(alert, "runbook_url"));
            Assert.False(string.IsNullOrEmpty(Annotation(alert, "summary")));
            Assert.Equal(MonitoringStack.CloseWaitSockets, double.Parse(alert.GetProperty("value").GetString()!, CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void Alerts_ClientSocketsTowardOneDestination_EphemeralPortsExhaustingFiresWithItsAddressPortAndTheRealRange()
    {
        var address = MonitoringStack.RemoteAddress;
        var port = MonitoringStack.RemotePort.ToString(CultureInfo.InvariantCulture);
        var held = MonitoringStack.TimeWaitSockets;
        var size = MonitoringStack.EphemeralPortRangeSize;

        var alerts = WaitForFiring(a => Label(a, "alertname") == "TcpStateEphemeralPortsExhausting" && Label(a, "address") == address && Label(a, "port") == port, 2);

        Assert.Equal(["critical", "warning"], alerts.Select(a => Label(a, "severity")).Order(StringComparer.Ordinal));
        Assert.All(alerts, alert =>
        {
            Assert.Equal(MonitoringStack.Job, Label(alert, "job"));
            Assert.Equal(MonitoringStack.Instance, Label(alert, "instance"));
            // The holder's only client sockets toward 127.0.0.1:9090 are its TIME_WAIT ones; the share is of the
            // namespace's 100-port range, which the exporter read, not of Linux's default.
            Assert.Equal((double)held / size, double.Parse(alert.GetProperty("value").GetString()!, CultureInfo.InvariantCulture), 9);
            Assert.StartsWith(
                $"Client sockets on {MonitoringStack.Instance} toward {address}:{port} hold {100 * held / size}% of the ephemeral port range ({held} of {size} ports), {held} of them in TIME_WAIT. ",
                Annotation(alert, "description"), StringComparison.Ordinal);
            Assert.Equal(RulesFileTests.RunbookUrlPrefix + "tcpstateephemeralportsexhausting", Annotation(alert, "runbook_url"));
            Assert.Contains("EADDRNOTAVAIL", Annotation(alert, "summary"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Alerts_FullAcceptQueue_FiresForItsPort()
    {
        var full = MonitoringStack.FullListenerPort.ToString(CultureInfo.InvariantCulture);

        var queue = Assert.Single(WaitForFiring(a => Label(a, "alertname") == "TcpStateListenQueueFull" && Label(a, "port") == full, 1));

        Assert.Equal(SocketHolderProcess.ExpectedProcessName, Label(queue, "process"));
        // backlog=1 with 3 clients: 2 connections queued (the kernel admits backlog + 1), the limit is 1.
        Assert.Contains($"port {full} (process \"{SocketHolderProcess.ExpectedProcessName}\") on {MonitoringStack.Instance} holds 2 connections, its limit is 1", Annotation(queue, "description"), StringComparison.Ordinal);
        Assert.Equal(RulesFileTests.RunbookUrlPrefix + "tcpstatelistenqueuefull", Annotation(queue, "runbook_url"));
    }

    [Fact]
    public void Alerts_HealthyExporter_NoExporterAlertFires()
    {
        // Give the shortened rules time to fire everything they would fire: the stuck alert fires by now.
        WaitForFiring(a => Label(a, "alertname") == "TcpStateCloseWaitStuck", 1);

        // Only 'firing' counts: with for: 1s, one scrape that a busy test machine delays past its 1 s timeout
        // makes the down alert pending for a moment, which says nothing about the rules.
        var exporterAlerts = Alerts()
            .Where(a => Label(a, "alertname").StartsWith("TcpStateExporter", StringComparison.Ordinal))
            .Where(a => a.GetProperty("state").GetString() == "firing")
            .ToList();

        Assert.True(exporterAlerts.Count == 0, string.Join(Environment.NewLine, exporterAlerts));
    }

    [Fact]
    public void Rules_LoadedByPrometheus_AreTheShippedRulesAsThisSuiteReadsThem()
    {
        var expected = PrometheusRulesFile.Parse(_stack.ShortenedRulesText).Rules;

        var response = _stack.Server.Get("/api/v1/rules");

        Assert.Equal("success", response.GetProperty("status").GetString());
        // Prometheus lists groups by name; within a group, rules keep the file's order.
        var groupOrder = expected.Select(r => r.Group).Distinct().ToList();
        var loaded = response.GetProperty("data").GetProperty("groups").EnumerateArray()
            .OrderBy(g => groupOrder.IndexOf(g.GetProperty("name").GetString()!))
            .SelectMany(g => g.GetProperty("rules").EnumerateArray().Select(r => (Group: g.GetProperty("name").GetString()!, Rule: r)))
            .ToList();
        Assert.Equal(expected.Count, loaded.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (group, rule) = loaded[i];
            Assert.Equal(expected[i].Group, group);
            Assert.Equal(expected[i].Alert ?? expected[i].Record, rule.GetProperty("name").GetString());
            Assert.Equal(expected[i].Alert is null ? "recording" : "alerting", rule.GetProperty("type").GetString());
            Assert.Equal("ok", rule.GetProperty("health").GetString());
            if (expected[i].Alert is not null)
            {
                Assert.Equal(expected[i].For.TotalSeconds, rule.GetProperty("duration").GetDouble());
                Assert.Equal(Sorted(expected[i].Labels), Sorted(Strings(rule.GetProperty("labels"))));
                // The annotations as this suite's YAML reader read them equal Prometheus's own reading.
                Assert.Equal(Sorted(expected[i].Annotations), Sorted(Strings(rule.GetProperty("annotations"))));
            }
        }
    }

    private List<JsonElement> Alerts()
    {
        var response = _stack.Server.Get("/api/v1/alerts");
        Assert.Equal("success", response.GetProperty("status").GetString());
        return [.. response.GetProperty("data").GetProperty("alerts").EnumerateArray()];
    }

    // Polls /api/v1/alerts until at least 'count' alerts matching 'match' are firing.
    private List<JsonElement> WaitForFiring(Func<JsonElement, bool> match, int count)
    {
        var clock = Stopwatch.StartNew();
        List<JsonElement> all;
        do
        {
            all = Alerts();
            var firing = all.Where(a => a.GetProperty("state").GetString() == "firing" && match(a)).ToList();
            if (firing.Count >= count)
            {
                return firing;
            }

            Thread.Sleep(250);
        }
        while (clock.Elapsed < FiringTimeout);

        throw new TimeoutException($"fewer than {count} matching alerts firing within {FiringTimeout.TotalSeconds} s; alerts:{Environment.NewLine}{string.Join(Environment.NewLine, all)}{Environment.NewLine}prometheus log:{Environment.NewLine}{_stack.Server.Log}");
    }

    private static string Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;

    private static string Annotation(JsonElement alert, string name) =>
        alert.GetProperty("annotations").TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;

    private static List<string> Sorted(IReadOnlyDictionary<string, string> map) =>
        [.. map.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal)];

    private static Dictionary<string, string> Strings(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
}
