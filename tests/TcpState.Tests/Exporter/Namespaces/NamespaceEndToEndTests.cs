using TcpState.Core;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Namespaces;

/// <summary>
/// The built exporter with <c>--netns.enabled</c>, run in a test namespace H (its own, host view)
/// while two more namespaces A and B hold sockets: each is counted and labelled as ss sees it, H's
/// series are the same as those of an exporter without the setting, and without CAP_SYS_ADMIN it
/// falls back to /proc/PID/net/tcp. Other namespaces on the machine are sampled too; the
/// assertions select the test's own by their netns label.
/// </summary>
public sealed class NamespaceEndToEndTests : IClassFixture<NamespaceEndToEndTests.Running>
{
    private const int Port = 19986;

    // Three exporters listen in H; their scrape sockets come and go, so comparisons leave them out.
    private const string ExporterPorts = "--sample.server-ports=19986,19987,19988";
    private readonly Running _running;

    public NamespaceEndToEndTests(Running running) => _running = running;

    [Fact]
    public void Metrics_TwoNamespaces_CountedAndLabelledAsSsSeesThem()
    {
        var text = _running.WithNetns.Get("/metrics").Text;

        foreach (var ns in new[] { _running.A, _running.B })
        {
            var states = PrometheusText.Samples(text, "tcpstate_sockets");
            var ss = SsOutput.CaptureAll(ns).CountByState();
            for (var i = 0; i < StateLabel.Count; i++)
            {
                var state = StateLabel.Name(i);
                Assert.True(states.TryGetValue($"container=,netns={ns.Name},state={state}", out var value), $"no {state} series for {ns.Name}:\n{text}");
                Assert.True(ss.GetValueOrDefault(state) == value, $"{ns.Name} {state}: ss {ss.GetValueOrDefault(state)}, exporter {value}");
            }

            Assert.Equal(1, PrometheusText.Samples(text, "tcpstate_netns_info").Single(s => s.Key.Contains($"netns={ns.Name},", StringComparison.Ordinal)).Value);
            // Test namespaces are made with the host's tcp_child_ehash_entries, normally 0: the shared table.
            var hashTable = int.Parse(ns.Exec("cat", "/proc/sys/net/ipv4/tcp_ehash_entries").EnsureSuccess().StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture) < 0 ? "shared" : "own";
            Assert.Contains($"hash_table={hashTable},netns={ns.Name},pod=,source=netlink", PrometheusText.Samples(text, "tcpstate_netns_info").Keys.Single(k => k.Contains(ns.Name, StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.True(PrometheusText.Samples(text, "tcpstate_netns_sample_duration_seconds")[$"container=,netns={ns.Name}"] > 0);
        }

        Assert.True(PrometheusText.Samples(text, "tcpstate_netns_discovered")[""] >= 2);
        Assert.Equal(NamespaceSetReasons, PrometheusText.Samples(text, "tcpstate_netns_skipped").Keys.Order(StringComparer.Ordinal));
        var ports = PrometheusText.Samples(text, "tcpstate_port_sockets");
        Assert.Equal(4, ports[$"container=,netns={_running.A.Name},port=7001,process={SocketHolderProcess.ExpectedProcessName},role=server,state=established"]);
        Assert.Equal(2, ports[$"container=,netns={_running.A.Name},port=7001,process={SocketHolderProcess.ExpectedProcessName},role=server,state=close_wait"]);
        Assert.Equal(3, ports[$"container=,netns={_running.B.Name},port=7443,process={SocketHolderProcess.ExpectedProcessName},role=client,state=established"]);
        Assert.Equal(1, PrometheusText.Samples(text, "tcpstate_listen_queue_limit").Count(s => s.Key.Contains($"netns={_running.B.Name},port=7443", StringComparison.Ordinal)));
        var check = Promtool.CheckMetrics(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
    }

    [Fact]
    public void ApiSnapshot_ListsTheNamespacesWithTheirOwnSnapshot()
    {
        using var document = System.Text.Json.JsonDocument.Parse(_running.WithNetns.Get("/api/v1/snapshot").Body);
        using var without = System.Text.Json.JsonDocument.Parse(_running.WithoutNetns.Get("/api/v1/snapshot").Body);

        var a = document.RootElement.GetProperty("namespaces").EnumerateArray().Single(n => n.GetProperty("netns").GetString() == _running.A.Name);
        Assert.Equal("", a.GetProperty("container").GetString());
        Assert.Equal(SsOutput.CaptureAll(_running.A).Count("close_wait"), a.GetProperty("snapshot").GetProperty("states").GetProperty("close_wait").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, a.GetProperty("snapshot").GetProperty("namespaces").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, without.RootElement.GetProperty("namespaces").ValueKind);
    }

    [Fact]
    public void Metrics_HostView_SameWithAndWithoutNetns()
    {
        var with = _running.WithNetns.Get("/metrics").Text;
        var without = _running.WithoutNetns.Get("/metrics").Text;
        var ss = SsOutput.CaptureAll(_running.H);

        Assert.DoesNotContain("netns=", without, StringComparison.Ordinal);
        Assert.DoesNotContain("tcpstate_netns_", without.Split('\n').Where(l => !l.StartsWith('#')), StringComparer.Ordinal);
        for (var i = 0; i < StateLabel.Count; i++)
        {
            var state = StateLabel.Name(i);
            var expected = ss.Sockets.Count(s => s.State == state && !IsExporterPort(s.LocalPort) && !IsExporterPort(s.PeerPort));
            Assert.True(expected == HostSocketsOutsideExporters(with, state), $"with netns, {state}: ss {expected}\n{with}");
            Assert.True(expected == HostSocketsOutsideExporters(without, state), $"without netns, {state}: ss {expected}\n{without}");
        }

        // The holder's series in H carry no netns label either way.
        Assert.Equal(
            HostSeries(without).Where(k => k.Contains("port=8080,", StringComparison.Ordinal)),
            HostSeries(with).Where(k => k.Contains("port=8080,", StringComparison.Ordinal)));
    }

    [Fact]
    public void Metrics_WithoutCapSysAdmin_ReadsEachNamespaceThroughProc()
    {
        var text = _running.Unprivileged.Get("/metrics").Text;

        var info = PrometheusText.Samples(text, "tcpstate_netns_info");
        Assert.Contains($"cgroup={CgroupOf(_running.HolderA.Pid)},container=,hash_table=,netns={_running.A.Name},pod=,source=proc", info.Keys);
        var ss = SsOutput.CaptureAll(_running.A).CountByState();
        Assert.Equal(ss["established"], PrometheusText.Samples(text, "tcpstate_sockets")[$"container=,netns={_running.A.Name},state=established"]);
        Assert.Contains("Cannot enter network namespaces", _running.Unprivileged.Error + _running.Unprivileged.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_NamespaceComesAndGoes_PickedUpThenForgotten()
    {
        var transient = new NetworkNamespace();
        try
        {
            using (SocketHolderProcess.Start(transient, "--ipv4", "--timeout", "60", "--listen", "7200", "--established", "7200:3"))
            {
                // The namespace exists (and may be sampled empty or half built) before the holder's
                // sockets do: wait for a sample taken after they were all made; a miscount times out
                // with the last scrape. A sample covers every namespace on the machine: allow for a
                // few slow ones.
                var key = $"container=,netns={transient.Name},state=established";
                var text = _running.WithNetns.WaitForMetrics(t => PrometheusText.Samples(t, "tcpstate_sockets").GetValueOrDefault(key) == 6, TimeSpan.FromSeconds(60));
                Assert.Equal(6, PrometheusText.Samples(text, "tcpstate_sockets")[key]);
            }
        }
        finally
        {
            transient.Dispose();
        }

        var after = _running.WithNetns.WaitForMetrics(t => !t.Contains(transient.Name, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains($"netns=\"{_running.A.Name}\"", after, StringComparison.Ordinal);
    }

    private static readonly string[] NamespaceSetReasons = ["reason=error", "reason=gone", "reason=limit", "reason=no_process"];

    private static bool IsExporterPort(int port) => port is >= Port and < Port + 3;

    private static string CgroupOf(int pid) =>
        File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];

    private static IEnumerable<string> HostSeries(string text) =>
        PrometheusText.Samples(text, "tcpstate_port_sockets").Where(p => !p.Key.Contains("netns=", StringComparison.Ordinal)).Select(p => $"{p.Key} {p.Value}").Order(StringComparer.Ordinal);

    private static double HostSocketsOutsideExporters(string text, string state) =>
        PrometheusText.Samples(text, "tcpstate_port_sockets")
            .Where(p => !p.Key.Contains("netns=", StringComparison.Ordinal) && p.Key.EndsWith($"state={state}", StringComparison.Ordinal))
            .Where(p => !Enumerable.Range(Port, 3).Any(port => p.Key.StartsWith($"port={port},", StringComparison.Ordinal)))
            .Sum(p => p.Value);

    public sealed class Running : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public Running()
        {
            try
            {
                H = Own(new NetworkNamespace());
                A = Own(new NetworkNamespace());
                B = Own(new NetworkNamespace());
                foreach (var ns in new[] { H, A, B })
                {
                    ns.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
                    // The CLOSE_WAIT sockets' orphaned FIN_WAIT2 peers must outlive the tests (60 s by default).
                    ns.WriteSysctl("net.ipv4.tcp_fin_timeout", "1200");
                }

                Own(SocketHolderProcess.Start(H, "--ipv4", "--timeout", "1200", "--listen", "8080", "--established", "8080:2", "--close-wait", "8080:1"));
                HolderA = Own(SocketHolderProcess.Start(A, "--ipv4", "--timeout", "1200", "--listen", "7001", "--established", "7001:4", "--close-wait", "7001:2"));
                Own(SocketHolderProcess.Start(B, "--ipv6", "--timeout", "1200", "--listen", "7443", "--established", "7443:3"));
                const string Common = "--sample.interval=1s";
                WithNetns = Own(ExporterProcess.Start(H, Port, ExporterPorts, Common, "--netns.enabled=true", "--netns.max=1000"));
                WithoutNetns = Own(ExporterProcess.Start(H, Port + 1, ExporterPorts, Common));
                Unprivileged = Own(ExporterProcess.StartWithUnitCapabilities(H, Port + 2, ExporterPorts, Common, "--netns.enabled=true", "--netns.max=1000"));
                // The start-up sample covers the host view only; the namespaces join from the next.
                foreach (var exporter in new[] { WithNetns, Unprivileged })
                {
                    exporter.WaitForMetrics(t => t.Contains($"netns=\"{A.Name}\"", StringComparison.Ordinal) && t.Contains($"netns=\"{B.Name}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public NetworkNamespace H { get; } = null!;

        public NetworkNamespace A { get; } = null!;

        public NetworkNamespace B { get; } = null!;

        public SocketHolderProcess HolderA { get; } = null!;

        public ExporterProcess WithNetns { get; } = null!;

        public ExporterProcess WithoutNetns { get; } = null!;

        public ExporterProcess Unprivileged { get; } = null!;

        private T Own<T>(T disposable)
            where T : IDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }

        public void Dispose()
        {
            for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
            _owned.Clear();
        }
    }
}
