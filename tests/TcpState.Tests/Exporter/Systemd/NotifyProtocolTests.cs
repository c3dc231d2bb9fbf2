using System.Diagnostics;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Systemd;

/// <summary>The real exporter process against a notify socket the test binds, as systemd would.</summary>
public sealed class NotifyProtocolTests
{
    [Fact]
    public void Run_NotifySocketPath_ReadyStatusWatchdogThenStoppingOnSigterm()
    {
        using var systemd = new NotifyListener(abstractName: false);
        using var exporter = ExporterProcess.StartOnHost(19991, Environment(systemd, watchdogUsec: 1_000_000), "--sample.interval=1s");

        systemd.WaitFor("READY=1", TimeSpan.FromSeconds(30));
        var status = systemd.WaitFor("STATUS=", TimeSpan.FromSeconds(10));
        var since = systemd.Now;
        Thread.Sleep(3000);
        var pings = systemd.Assignments.Count(a => a.At >= since && a.Assignment == "WATCHDOG=1");
        var code = exporter.Terminate(TimeSpan.FromSeconds(15));

        Assert.Matches(@"^STATUS=\d+ sockets, \d+ close_wait \(\d+ stuck\), \d+ time_wait; sampled in \d+ ms from netlink$", status);
        Assert.InRange(pings, 4, 8); // every half of WATCHDOG_USEC
        Assert.Contains(systemd.Assignments, a => a.Assignment == "STOPPING=1");
        Assert.Equal(0, code);
    }

    [Fact]
    public void Run_AbstractNotifySocket_IsReachedToo()
    {
        using var systemd = new NotifyListener(abstractName: true);
        using var exporter = ExporterProcess.StartOnHost(19992, Environment(systemd, watchdogUsec: null));

        systemd.WaitFor("READY=1", TimeSpan.FromSeconds(30));

        Assert.StartsWith("@", systemd.NotifySocket, StringComparison.Ordinal);
        Assert.DoesNotContain(systemd.Assignments, a => a.Assignment == "WATCHDOG=1");
    }

    [Fact]
    public void Run_ReadyOnlyAfterListening_NeverBeforeTheFirstSample()
    {
        using var systemd = new NotifyListener(abstractName: false);
        using var exporter = ExporterProcess.StartOnHost(19993, Environment(systemd, watchdogUsec: null));

        systemd.WaitFor("READY=1", TimeSpan.FromSeconds(30));
        var first = systemd.Assignments.First();

        Assert.Equal("READY=1", first.Assignment);
        Assert.Equal(200, exporter.Get("/metrics").Status);
    }

    [Fact]
    public void Run_SamplerStalls_WatchdogPingsStop()
    {
        using var proc = new TemporaryProcRoot();
        proc.Write("tcp", FixtureFiles.Read("proc-net-tcp.txt"));
        using var systemd = new NotifyListener(abstractName: false);
        using var exporter = ExporterProcess.StartOnHost(19994, Environment(systemd, watchdogUsec: 1_000_000),
            "--sample.interval=1s", "--sample.source=proc", $"--path.procfs={proc.Path}");
        systemd.WaitFor("WATCHDOG=1", TimeSpan.FromSeconds(30));

        // A FIFO with no writer: the next sample blocks in open() for good, a real stall.
        var tcp = Path.Combine(proc.Path, "net", "tcp");
        File.Delete(tcp);
        RunOrFail("mkfifo", tcp);
        var stalled = systemd.Now;
        Thread.Sleep(TimeSpan.FromSeconds(11)); // StallAfter = 2 x interval + 5 s, then some
        var lastPing = systemd.Assignments.Last(a => a.Assignment == "WATCHDOG=1").At;

        // Unblock the reader so the process can exit cleanly.
        using (var writer = new FileStream(tcp, FileMode.Open, FileAccess.Write)) { }
        exporter.Terminate(TimeSpan.FromSeconds(40));

        Assert.True(lastPing < stalled + TimeSpan.FromSeconds(9), $"pings went on until {lastPing - stalled} after the stall");
        Assert.True(lastPing > stalled + TimeSpan.FromSeconds(3), $"pings stopped {lastPing - stalled} after the stall, before StallAfter");
    }

    private static Dictionary<string, string> Environment(NotifyListener systemd, int? watchdogUsec)
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = systemd.NotifySocket };
        if (watchdogUsec is { } usec) environment["WATCHDOG_USEC"] = usec.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return environment;
    }

    private static void RunOrFail(string file, params string[] arguments)
    {
        using var process = Process.Start(file, arguments);
        process.WaitForExit(10_000);
        Assert.Equal(0, process.ExitCode);
    }
}
