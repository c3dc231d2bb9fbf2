using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter;

/// <summary>
/// The real exporter serving a body several times the size of its pooled segments (which it
/// hands to Kestrel one span each): 1,000 listeners in a test namespace, checked against
/// <c>ss -ltn</c>, <c>promtool</c> and the response's own <c>Content-Length</c>.
/// </summary>
public sealed class LargeScrapeTests : IDisposable
{
    private const int Port = 19990;
    private const int FirstListenerPort = 30000;
    private const int Listeners = 1000;

    // The exposition's pooled segment size (internal SegmentSize).
    private const int SegmentSize = 64 * 1024;
    private readonly NetworkNamespace _namespace = new();
    private readonly List<Socket> _listeners;
    private readonly ExporterProcess _exporter;

    public LargeScrapeTests()
    {
        _listeners = _namespace.RunInside(() => Enumerable.Range(FirstListenerPort, Listeners).Select(Listen).ToList());
        _exporter = ExporterProcess.Start(_namespace, Port, "--metrics.max-port-series=2000");
    }

    [Fact]
    public void Metrics_BodyOverSeveralSegments_ArrivesWholeAndListsEveryListenerSsShows()
    {
        var response = _exporter.Get("/metrics");

        Assert.Equal(200, response.Status);
        Assert.True(response.Body.Length > 2 * SegmentSize, $"body {response.Body.Length} bytes: too small to span three segments");
        Assert.Equal(response.Body.Length, long.Parse(response.Headers["Content-Length"], CultureInfo.InvariantCulture));
        var check = Promtool.CheckMetrics(response.Body);
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
        Assert.Equal(SsListenerPorts(), ListenerPorts(response.Text));
    }

    [Fact]
    public void Metrics_LargeBodyGzipped_DecompressesToEveryListenerSsShows()
    {
        var response = _exporter.Get("/metrics", ("Accept-Encoding", "gzip"));

        Assert.Equal("gzip", response.Headers["Content-Encoding"]);
        Assert.Equal(response.Body.Length, long.Parse(response.Headers["Content-Length"], CultureInfo.InvariantCulture));
        using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var text = reader.ReadToEnd();
        Assert.True(text.Length > 2 * SegmentSize, $"body {text.Length} characters");
        Assert.Equal(SsListenerPorts(), ListenerPorts(text));
    }

    public void Dispose()
    {
        _exporter.Dispose();
        foreach (var listener in _listeners) listener.Dispose();
        _namespace.Dispose();
    }

    private static Socket Listen(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(16);
        return socket;
    }

    // The ports with a listener, from the accept-queue limit every listening port has.
    private static SortedSet<int> ListenerPorts(string text) =>
        new(PrometheusText.Samples(text, "tcpstate_listen_queue_limit").Keys.Select(PortOf).Where(port => port != Port));

    // The exporter's own listener may open after the sample a scrape shows; it is left out.
    private SortedSet<int> SsListenerPorts() =>
        new(SsOutput.CaptureListening(_namespace).Sockets.Select(s => s.LocalPort).Where(port => port != Port));

    private static int PortOf(string labels) =>
        int.Parse(labels.Split(',').Single(l => l.StartsWith("port=", StringComparison.Ordinal))["port=".Length..], CultureInfo.InvariantCulture);
}
