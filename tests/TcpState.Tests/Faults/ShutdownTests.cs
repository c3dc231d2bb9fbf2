using System.Diagnostics;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Faults;

/// <summary>SIGTERM at awkward moments: the exporter exits cleanly, with code 0, within a bound.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public void Terminate_DuringAStalledSample_ExitsZeroWithinTheBound()
    {
        using var proc = new TemporaryProcRoot();
        proc.Write("tcp", FixtureFiles.Read("proc-net-tcp.txt"));
        using var exporter = ExporterProcess.StartOnHost(19983, new Dictionary<string, string>(), "--sample.interval=1s", "--sample.source=proc", $"--path.procfs={proc.Path}");
        // The next sample blocks for good in open() on a FIFO nobody writes.
        var tcp = Path.Combine(proc.Path, "net", "tcp");
        File.Delete(tcp);
        ProcessRunner("mkfifo", tcp);
        Thread.Sleep(2500);

        var clock = Stopwatch.StartNew();
        var code = exporter.Terminate(TimeSpan.FromSeconds(20));

        Assert.Equal(0, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Terminate_DuringAnUnfinishedRequest_ExitsZeroWithinTheBound()
    {
        using var exporter = ExporterProcess.StartOnHost(19984, new Dictionary<string, string>());
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        client.Connect(System.Net.IPAddress.Loopback, 19984);
        client.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n"u8.ToArray()); // headers never finished

        var clock = Stopwatch.StartNew();
        var code = exporter.Terminate(TimeSpan.FromSeconds(20));

        Assert.Equal(0, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    private static void ProcessRunner(string file, string argument)
    {
        using var process = Process.Start(file, [argument]);
        process.WaitForExit(10_000);
        Assert.Equal(0, process.ExitCode);
    }
}
