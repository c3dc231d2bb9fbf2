using System.Text.Json;
using TcpState.Core;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.StatusPage;

/// <summary>
/// The real exporter inside a test namespace holding known sockets, its page at / rendered by
/// headless Chromium in the same namespace, and the DOM that the page's script built compared with
/// /api/v1/snapshot.
/// </summary>
public sealed class StatusPageBrowserTests : IClassFixture<StatusPageBrowserTests.Running>
{
    private const int Port = 19986;
    private readonly Running _running;

    public StatusPageBrowserTests(Running running) => _running = running;

    [Fact]
    public void Page_AfterRefreshing_ShowsTheSnapshotsStateCounts()
    {
        var page = _running.Page;
        using var snapshot = _running.Snapshot();

        // The same sample: the page says which one it shows.
        Assert.Equal(snapshot.RootElement.GetProperty("timestamp").GetString(), page.Attribute("sample-time", "datetime"));
        var rows = page.Rows("states");
        Assert.Equal(StateLabel.Count, rows.Count);
        foreach (var state in snapshot.RootElement.GetProperty("states").EnumerateObject())
        {
            var row = Assert.Single(rows, r => r.Attributes.GetValueOrDefault("data-state") == state.Name);
            Assert.StartsWith(state.Name.ToUpperInvariant() + " ", row.Cells[0], StringComparison.Ordinal);
            Assert.Equal(state.Value.GetInt64(), RenderedPage.Count(row.Cells[1]));
        }

        Assert.Equal(snapshot.RootElement.GetProperty("states").EnumerateObject().Sum(s => s.Value.GetInt64()), RenderedPage.Count(page.TextOf("states-total")!));
    }

    [Fact]
    public void Page_AfterRefreshing_ShowsTheCloseWaitRowOfSocketHolderOn8080()
    {
        using var snapshot = _running.Snapshot();
        var group = snapshot.RootElement.GetProperty("groups").EnumerateArray()
            .Single(g => g.GetProperty("state").GetString() == "close_wait" && g.GetProperty("port").GetString() == "8080");

        var row = Assert.Single(_running.Page.Rows("close-wait"), r => r.Cells[0] == SocketHolderProcess.ExpectedProcessName && r.Cells[2] == "8080");

        // LiveSockets holds 2 CLOSE_WAIT pairs and 1 FIN_WAIT2 pair (server side CLOSE_WAIT) on 8080.
        Assert.Equal(3, group.GetProperty("sockets").GetInt64());
        Assert.Equal([SocketHolderProcess.ExpectedProcessName, "server", "8080", "3", "0s", "0"], row.Cells);
    }

    [Fact]
    public void Page_AfterRefreshing_ShowsTheTimeWaitDestination()
    {
        var row = Assert.Single(_running.Page.Rows("destinations"), r => r.Cells[0] == "127.0.0.1:9090");

        // One client-side TIME_WAIT toward 9090, holding one ephemeral port.
        Assert.Equal("1", row.Cells[1]);
        Assert.Equal("1", row.Cells[2]);
        Assert.Equal("< 0.1 %", row.Cells[3]);
    }

    [Fact]
    public void Page_AfterRefreshing_ShowsTheServerTimeWaitAndTheFullListenQueue()
    {
        var timeWait = Assert.Single(_running.Page.Rows("server-time-wait"), r => r.Cells[0] == "8080");
        var queue = Assert.Single(_running.Page.Rows("listen-queues"), r => r.Cells[0] == "6060");

        Assert.Equal(["8080", SocketHolderProcess.ExpectedProcessName, "2"], timeWait.Cells);
        Assert.Equal(SocketHolderProcess.ExpectedProcessName, queue.Cells[1]);
        Assert.Contains("full", queue.Cells[4], StringComparison.Ordinal);
    }

    [Fact]
    public void Page_OverTwelveSecondsOfVirtualTime_RefreshesInPlaceLiveAndWithoutConsoleMessages()
    {
        var page = _running.Page;

        // A reload would start the counter again at 1; 12 s at one refresh per 5 s makes 3 in place.
        Assert.True(RenderedPage.Count(page.BodyAttribute("data-refreshes")!) >= 2, page.Html);
        Assert.Equal("live", page.BodyAttribute("data-status"));
        Assert.Equal("Live", page.TextOf("badge"));
        Assert.Contains(" ago) from netlink in ", page.TextOf("sample-text"), StringComparison.Ordinal);
        // A CSP violation (a wrong hash) or a script error would be logged here.
        Assert.True(_running.ConsoleMessages.Count == 0, "console: " + string.Join("\n", _running.ConsoleMessages));
    }

    [Fact]
    public void Root_RealExporter_SendsTheStrictPolicyAndTheMetricsLink()
    {
        var response = _running.Exporter.Get("/");

        Assert.Equal(200, response.Status);
        Assert.Equal("text/html; charset=utf-8", response.Headers["Content-Type"]);
        var policy = response.Headers["Content-Security-Policy"];
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Contains("href=\"/metrics\"", response.Text, StringComparison.Ordinal);
    }

    public sealed class Running : IDisposable
    {
        private readonly Lazy<(RenderedPage Page, IReadOnlyList<string> Console)> _render;

        public Running()
        {
            Live = new LiveSockets();
            // One sample an hour: the exporter samples once before it listens and then serves that
            // same sample to the page and to the test, so the two can be compared exactly (the
            // browser's own connections would otherwise change the counts between samples).
            Exporter = ExporterProcess.Start(Live.Namespace, Port, "--sample.interval=1h", $"--sample.server-ports={Port}");
            _render = new(() =>
            {
                var result = Chromium.DumpDom(Live.Namespace, $"http://127.0.0.1:{Port}/", TimeSpan.FromSeconds(12)).EnsureSuccess();
                return (new RenderedPage(result.StandardOutput), Chromium.ConsoleMessages(result));
            });
        }

        public LiveSockets Live { get; }

        public ExporterProcess Exporter { get; }

        /// <summary>The page as Chromium left it after 12 s of virtual time, rendered once for all tests.</summary>
        public RenderedPage Page => _render.Value.Page;

        public IReadOnlyList<string> ConsoleMessages => _render.Value.Console;

        public JsonDocument Snapshot() => JsonDocument.Parse(Exporter.Get("/api/v1/snapshot").Body);

        public void Dispose()
        {
            Exporter.Dispose();
            Live.Dispose();
        }
    }
}
