using System.Globalization;
using System.Text.Json;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// The end-to-end monitoring setup, built once for the tests of <see cref="MonitoringStackCollection"/>: a test
/// network namespace with known CLOSE_WAIT, TIME_WAIT and full-accept-queue sockets on loopback (SocketHolder),
/// the built exporter sampling it every second with a 2 s stuck threshold, and Debian's Prometheus scraping the
/// exporter every second with the shipped rules shortened by <see cref="ShortenedRules"/>. Once Prometheus has
/// the data, every dashboard query is evaluated, right away: the TIME_WAIT sockets last only 60 s.
/// </summary>
public sealed class MonitoringStack : IDisposable
{
    public const string Job = "tcpstate";
    public const int ExporterPort = 19986;
    public const int PrometheusPort = 19090;

    /// <summary>The holder's listener: CLOSE_WAIT and server-side TIME_WAIT sockets are on it.</summary>
    public const int ServerPort = 8080;

    /// <summary>The port the holder's clients called and closed first: client-side TIME_WAIT toward it.</summary>
    public const int RemotePort = 9090;

    /// <summary>A listener that never accepts, with backlog 1 and 2 connections queued: its queue is over the limit.</summary>
    public const int FullListenerPort = 6060;

    public const int CloseWaitSockets = 3;
    public const int TimeWaitSockets = 2;

    /// <summary>
    /// The namespace's ephemeral port range (net.ipv4.ip_local_port_range), set before any socket opens: 100 ports,
    /// far from Linux's default, so a panel or alert that assumed the default would show a different size and share.
    /// It leaves room for the test's own HTTP clients, whose closes leave TIME_WAIT on the server side.
    /// </summary>
    public const int EphemeralPortRangeLow = 40000;

    public const int EphemeralPortRangeHigh = 40099;

    public const int EphemeralPortRangeSize = EphemeralPortRangeHigh - EphemeralPortRangeLow + 1;

    /// <summary>The destination the holder's client-side TIME_WAIT sockets called: they hold its ephemeral ports.</summary>
    public const string RemoteAddress = "127.0.0.1";

    /// <summary>
    /// $__rate_interval as Grafana computes it (max of four scrape intervals and $__interval plus one) for a 1 s
    /// scrape interval and a dashboard range with $__interval = 9 s: long enough that a scrape delayed by a busy
    /// test machine still leaves two samples in every window.
    /// </summary>
    public const string RateInterval = "10s";

    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(30);

    public MonitoringStack()
    {
        Namespace = new NetworkNamespace();
        try
        {
            // Later connects on loopback could otherwise take over the TIME_WAIT sockets' ports and end them early.
            Namespace.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
            Namespace.WriteSysctl("net.ipv4.ip_local_port_range", string.Create(CultureInfo.InvariantCulture, $"{EphemeralPortRangeLow} {EphemeralPortRangeHigh}"));
            Exporter = ExporterProcess.Start(Namespace, ExporterPort, "--sample.interval=1s", "--stuck.threshold=2s");
            ShortenedRulesText = ShortenedRules.Rewrite(File.ReadAllText(RepositoryFiles.RulesFile), Thresholds);
            Prometheus = PrometheusServer.Start(Namespace, PrometheusPort, Config,
                new Dictionary<string, string> { [RulesFileName] = ShortenedRulesText });

            // The sockets come last: TIME_WAIT lasts 60 s from here, and everything slow has already started.
            Holder = SocketHolderProcess.Start(Namespace,
                "--ipv4", "--timeout", "180", "--listen", ServerPort.ToString(CultureInfo.InvariantCulture),
                "--close-wait", $"{ServerPort}:{CloseWaitSockets}",
                "--time-wait-server", $"{ServerPort}:{TimeWaitSockets}",
                "--time-wait-client", $"{RemotePort}:{TimeWaitSockets}",
                "--listen-full", $"{FullListenerPort}:backlog=1:clients=3");
            WaitForData();
            PanelResults = EvaluateDashboards();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file name the shortened rules are loaded under.</summary>
    public static string RulesFileName => "tcpstate-alerts.yml";

    /// <summary>
    /// Thresholds lowered so that the test's few sockets cross them: the critical stuck alert needs the test's 3
    /// CLOSE_WAIT sockets instead of 100, and both severities of the ephemeral-port alert fire for a destination
    /// holding the test's 2 client-side TIME_WAIT sockets, 2% of the namespace's 100 ports, instead of 50% and 90%.
    /// </summary>
    public static IReadOnlyList<(string Original, string Replacement)> Thresholds { get; } =
    [
        ("(tcpstate_stuck_sockets{state=\"close_wait\"}) >= 100", $"(tcpstate_stuck_sockets{{state=\"close_wait\"}}) >= {CloseWaitSockets}"),
        ("tcpstate_destination_ephemeral_port_ratio > 0.5", $"tcpstate_destination_ephemeral_port_ratio > {ExhaustionThreshold}"),
        ("tcpstate_destination_ephemeral_port_ratio > 0.9", $"tcpstate_destination_ephemeral_port_ratio > {ExhaustionThreshold}"),
    ];

    public static string Instance => $"127.0.0.1:{ExporterPort}";

    // Just below the share that TimeWaitSockets ports are of the range: a destination with one socket stays below it.
    private static string ExhaustionThreshold =>
        ((TimeWaitSockets - 1) / (double)EphemeralPortRangeSize).ToString(CultureInfo.InvariantCulture);

    public NetworkNamespace Namespace { get; }

    public SocketHolderProcess? Holder { get; }

    public ExporterProcess? Exporter { get; }

    public PrometheusServer? Prometheus { get; }

    public string ShortenedRulesText { get; } = string.Empty;

    /// <summary>Every target of every panel of every dashboard, as Prometheus answered it.</summary>
    public IReadOnlyList<PanelQueryResult> PanelResults { get; } = [];

    public PrometheusServer Server => Prometheus ?? throw new InvalidOperationException("prometheus did not start");

    private static string Config => $"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - {RulesFileName}
        scrape_configs:
          - job_name: {Job}
            static_configs:
              - targets: ['{Instance}']
        """;

    public void Dispose()
    {
        Prometheus?.Dispose();
        Exporter?.Dispose();
        Holder?.Dispose();
        Namespace.Dispose();
    }

    // Each dashboard query needs its data to be there: stuck sockets (older than 2 s), the recording rules
    // evaluated (twice for a slope), and enough scrapes for a rate over $__rate_interval.
    private void WaitForData()
    {
        var selector = $"job=\"{Job}\", instance=\"{Instance}\"";
        string[] probes =
        [
            $"sum(tcpstate_stuck_sockets{{{selector}, state=\"close_wait\", port=\"{ServerPort}\"}}) == {CloseWaitSockets}",
            $"sum(tcpstate_port_sockets{{{selector}, state=\"time_wait\", role=\"client\", port=\"{RemotePort}\"}}) == {TimeWaitSockets}",
            $"tcpstate_ephemeral_port_range_size{{{selector}}} == {EphemeralPortRangeSize}",
            $"tcpstate_destination_ephemeral_ports{{{selector}, address=\"{RemoteAddress}\", port=\"{RemotePort}\"}} == {TimeWaitSockets}",
            $"deriv(instance_process:tcpstate_close_wait_sockets:sum{{{selector}}}[30m])",
            $"rate(tcpstate_samples_total{{{selector}}}[{RateInterval}]) > 0",
        ];
        foreach (var probe in probes)
        {
            Server.WaitForQuery(probe, result => result.GetArrayLength() > 0, DataTimeout);
        }
    }

    private List<PanelQueryResult> EvaluateDashboards()
    {
        var results = new List<PanelQueryResult>();
        foreach (var dashboard in GrafanaDashboard.LoadAll())
        {
            foreach (var panel in dashboard.Panels)
            {
                foreach (var target in panel.Targets)
                {
                    var expression = GrafanaDashboard.Expand(target.Expression, Job, Instance, RateInterval);
                    var instant = Server.Query(expression);
                    var range = Server.QueryRange(expression, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
                    results.Add(new PanelQueryResult(panel, target, expression, instant, range));
                }
            }
        }

        return results;
    }
}
