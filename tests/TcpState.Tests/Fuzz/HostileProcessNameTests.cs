using System.Text;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// The fuzz generators' process names, end to end: real processes whose comm holds quotes,
/// backslashes, a line feed, spaces, invalid UTF-8 and a multi-byte character cut by the 15-byte
/// limit, attributed by the real exporter; its /metrics must pass promtool and carry each name as
/// ProcessSocketMap decodes it (UTF-8 with replacement characters).
/// </summary>
public class HostileProcessNameTests
{
    private const int ExporterPort = 9986;

    private static readonly byte[][] Names =
    [
        [.. "q\"b\\ s\nx"u8, 0xFF, .. "\u00e9long-name-beyond"u8],
        [.. "two  spaces \\n"u8],
        [.. "fifteen-bytes-exactly-and-more"u8],
        [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0x80, 0xFE],
        [.. "aaaaaaaaaaaaaa"u8, .. "\u00e9"u8],
        [.. "\"\"\\\\\"=,{}"u8],
    ];

    [Fact]
    public void Metrics_ProcessesWithHostileCommNames_PassPromtoolAndKeepTheirNames()
    {
        using var ns = new NetworkNamespace();
        var listeners = new List<NamedListenerProcess>();
        try
        {
            for (var i = 0; i < Names.Length; i++) listeners.Add(NamedListenerProcess.Start(ns, Names[i], 7100 + i));
            using var exporter = ExporterProcess.Start(ns, ExporterPort);
            var text = exporter.WaitForMetrics(t => t.Contains($"port=\"{7100 + Names.Length - 1}\"", StringComparison.Ordinal));

            var check = Promtool.CheckMetrics(Encoding.UTF8.GetBytes(text));
            Assert.True(check.ExitCode == 0, $"promtool: {check.StandardOutput}{check.StandardError}");
            var openMetrics = exporter.Get("/metrics", ("Accept", "application/openmetrics-text; version=1.0.0")).Body;
            foreach (var (body, isOpenMetrics) in new[] { (Encoding.UTF8.GetBytes(text), false), (openMetrics, true) })
            {
                var ports = StrictExpositionParser.Parse(body, isOpenMetrics).Single(f => f.Name == "tcpstate_port_sockets");
                for (var i = 0; i < Names.Length; i++)
                {
                    var listen = ports.Samples.Single(s => s.Labels.Contains(("port", $"{7100 + i}")) && s.Labels.Contains(("state", "listen")));
                    Assert.Equal(Expected(Names[i]), listen.Labels.Single(l => l.Name == "process").Value);
                }
            }
        }
        finally
        {
            foreach (var listener in listeners) listener.Dispose();
        }
    }

    // The kernel keeps 15 bytes of the name; /proc/PID/comm ends it with a line feed, which
    // ProcessSocketMap trims before decoding.
    private static string Expected(byte[] name) =>
        HostileText.DecodeLikeProcessSocketMap(name.AsSpan(0, Math.Min(name.Length, HostileText.CommLength)).TrimEnd((byte)'\n'));
}
