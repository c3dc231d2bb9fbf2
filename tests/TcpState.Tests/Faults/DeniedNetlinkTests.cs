using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Faults;

/// <summary>
/// The real exporter with netlink blocked by a real seccomp filter (deny-netlink.c), as a
/// container runtime or systemd's RestrictAddressFamilies= would block it.
/// </summary>
public sealed class DeniedNetlinkTests : IClassFixture<DeniedNetlinkTests.Launcher>
{
    private readonly Launcher _launcher;

    public DeniedNetlinkTests(Launcher launcher) => _launcher = launcher;

    [Fact]
    public void Run_AutoSource_FallsBackToProcSaysSoOnceAndCountsExactly()
    {
        using var live = new LiveSockets();
        using var process = new ProcessWithOutput(live.Namespace.Start(_launcher.Path,
            [ExporterProcess.ExecutablePath, "--web.listen-address=127.0.0.1:19981", "--sample.interval=1s", "--sample.server-ports=19981"]));

        var text = WaitForMetrics(live.Namespace, 19981);
        var ss = SsOutput.CaptureAll(live.Namespace);

        Assert.Equal(1, PrometheusText.Samples(text, "tcpstate_build_info")["source=proc,version=0.1.0"]);
        Assert.Equal(ss.Count("close_wait"), PrometheusText.Samples(text, "tcpstate_sockets")["state=close_wait"]);
        Assert.Single(process.Output.Split('\n'), l => l.Contains("netlink is unavailable", StringComparison.Ordinal));
        Assert.Contains("Operation not permitted", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NetlinkRequired_ExitsWithTheReason()
    {
        var result = ProcessRunner.Run(_launcher.Path, [ExporterProcess.ExecutablePath, "--sample.source=netlink", "--web.listen-address=127.0.0.1:19982"], TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(netlink_denied)", result.StandardError, StringComparison.Ordinal);
    }

    private static string WaitForMetrics(NetworkNamespace ns, int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                var response = LoopbackHttp.Get(ns, port, "/metrics");
                if (response.Status == 200) return response.Text;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // not listening yet
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException("the exporter did not serve /metrics");
    }

    /// <summary>Builds deny-netlink.c once.</summary>
    public sealed class Launcher : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("tcpstate-faults-").FullName;

        public Launcher()
        {
            Path = System.IO.Path.Combine(_directory, "deny-netlink");
            ProcessRunner.Run("gcc", ["-O2", "-Wall", "-o", Path, RepositoryFiles.PathOf("tests", "TcpState.Tests", "Faults", "deny-netlink.c")], TimeSpan.FromMinutes(1)).EnsureSuccess();
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
