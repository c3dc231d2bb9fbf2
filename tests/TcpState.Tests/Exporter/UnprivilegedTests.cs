using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter;

/// <summary>The real exporter run as an unprivileged user: attribution degrades, nothing else does.</summary>
public sealed class UnprivilegedTests
{
    [Fact]
    public void Metrics_AsNobody_OthersSocketsAreUnknownOwnSocketsAttributedAndTheLogNamesTheCapabilities()
    {
        using var live = new LiveSockets();
        const int port = 19990;
        using var exporter = ExporterProcess.Start(live.Namespace, port, asNobody: true, "--sample.interval=1s");

        // The first sample runs before the exporter listens; wait for one that sees its listener.
        var text = exporter.WaitForMetrics(t => t.Contains($"port=\"{port}\"", StringComparison.Ordinal));

        var ports = PrometheusText.Samples(text, "tcpstate_port_sockets");
        Assert.True(ports["port=8080,process=(unknown),role=server,state=close_wait"] >= 3);
        Assert.Equal(1, ports[$"port={port},process=tcpstate-export,role=server,state=listen"]);
        Assert.True(PrometheusText.Samples(text, "tcpstate_unattributed_sockets")[""] > 0);
        // Counting is unaffected: every state still matches ss.
        var ss = SsOutput.CaptureAll(live.Namespace);
        Assert.Equal(ss.Count("close_wait"), PrometheusText.Samples(text, "tcpstate_sockets")["state=close_wait"]);
        Assert.Contains("without CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE", exporter.Output, StringComparison.Ordinal);
        Assert.Single(exporter.Output.Split('\n'), line => line.Contains("Cannot read the open files", StringComparison.Ordinal));
    }
}
