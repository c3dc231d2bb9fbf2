using Microsoft.AspNetCore.Http;
using TcpState.Exporter.Api;
using TcpState.Exporter.StatusPage;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.StatusPage;

/// <summary>
/// The page's stale and error states, in headless Chromium against a server that answers
/// /api/v1/snapshot as each test scripts it: what an operator sees when the exporter stops
/// sampling or stops answering.
/// </summary>
public sealed class StatusPageStateTests : IDisposable
{
    private readonly NetworkNamespace _namespace = new();

    [Fact]
    public async Task Page_SnapshotFailsAfterTheFirstAnswer_ShowsTheErrorAndKeepsTheLastData()
    {
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(1)), n => n == 1
            ? Snapshot(DateTimeOffset.UtcNow)
            : Results.Text("no sample has succeeded yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        var page = Render(server);

        Assert.True(server.SnapshotRequests >= 2, $"{server.SnapshotRequests} snapshot requests");
        Assert.Equal("error", page.BodyAttribute("data-status"));
        Assert.Equal("1", page.BodyAttribute("data-refreshes"));
        Assert.Equal("Not updating", page.TextOf("badge"));
        Assert.Equal("Could not refresh: HTTP 503 (no sample has succeeded yet). The tables show the last sample received (its age is above). Retrying every 2 s.", page.TextOf("problem"));
        Assert.Null(page.Attribute("problem", "hidden"));
        // The last good data stays on screen, marked by the banner rather than blanked.
        Assert.Equal(["api-server", "server", "8080", "7", "7m 30s", "7"], Assert.Single(page.Rows("close-wait")).Cells);
    }

    [Fact]
    public async Task Page_SampleOlderThanThreeIntervals_ShowsStale()
    {
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Snapshot(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10)));

        var page = Render(server);

        Assert.Equal("stale", page.BodyAttribute("data-status"));
        Assert.Equal("Stale", page.TextOf("badge"));
        Assert.StartsWith("Stale: the newest sample is older than three sampling intervals (30s).", page.TextOf("problem"), StringComparison.Ordinal);
        Assert.Null(page.Attribute("problem", "hidden"));
        // The header says how old: ten minutes and the few seconds the page ran.
        Assert.Contains(" (10m ", page.TextOf("sample-text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_NoSampleYet_ShowsTheErrorWithTheExportersReason()
    {
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Results.Text("no sample has succeeded yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        var page = Render(server);

        Assert.Equal("error", page.BodyAttribute("data-status"));
        Assert.Equal("0", page.BodyAttribute("data-refreshes"));
        Assert.StartsWith("Could not read /api/v1/snapshot: HTTP 503 (no sample has succeeded yet).", page.TextOf("problem"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ProcessNameWithMarkup_ShowsItAsText()
    {
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Snapshot(DateTimeOffset.UtcNow, process: "<img src=x>"));

        var page = Render(server);

        Assert.Equal("<img src=x>", Assert.Single(page.Rows("close-wait")).Cells[0]);
        Assert.DoesNotContain("<img", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_IntervalStretchedBySlowSamples_StaysLiveWithinThreeOfIt()
    {
        // Set to 10 s, stretched to 60 s by slow samples: a sample 50 s old is on time.
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Snapshot(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(50), intervalSeconds: 60));

        var page = Render(server);

        Assert.Equal("live", page.BodyAttribute("data-status"));
        Assert.Contains("the exporter samples every 1m,", page.TextOf("sample-text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_OtherNamespaces_ListedMostCloseWaitFirst()
    {
        SnapshotDocument Space(long closeWait, long timeWait, double? oldest) => new(DateTimeOffset.UtcNow, 0.001, "netlink",
            new Dictionary<string, long> { ["established"] = 5, ["close_wait"] = closeWait, ["time_wait"] = timeWait },
            closeWait > 0 ? [new SnapshotDocument.Group("close_wait", "server", "8080", "app", null, closeWait, oldest, 0)] : [],
            [], 0, 0);
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Snapshot(DateTimeOffset.UtcNow, namespaces:
            [
                new SnapshotDocument.Namespace("quiet", "", "", "/", Space(0, 2, null)),
                new SnapshotDocument.Namespace("4026532177", "4f2c6e0c1a9b", "", "/system.slice/docker-4f2c6e0c1a9b.scope", Space(9, 1, 400)),
            ]));

        var page = Render(server);

        Assert.Null(page.Attribute("namespaces-section", "hidden"));
        Assert.Equal(
            [["4026532177", "4f2c6e0c1a9b", "15", "9", "6m 40s", "1"], ["quiet", "-", "7", "0", "-", "2"]],
            page.Rows("namespaces").Select(r => r.Cells.ToArray()).ToArray());
    }

    [Fact]
    public async Task Page_NamespacesNotSampled_HidesTheirSection()
    {
        await using var server = await StatusPageTestServer.StartAsync(_namespace, Page(sampleInterval: TimeSpan.FromSeconds(10)),
            _ => Snapshot(DateTimeOffset.UtcNow));

        var page = Render(server);

        Assert.NotNull(page.Attribute("namespaces-section", "hidden"));
    }

    public void Dispose() => _namespace.Dispose();

    private static StatusPageDocument Page(TimeSpan sampleInterval) =>
        StatusPageDocument.Render("/metrics", sampleInterval, TimeSpan.FromMinutes(5), "web-1");

    private RenderedPage Render(StatusPageTestServer server) =>
        new(Chromium.DumpDom(_namespace, $"http://127.0.0.1:{server.Port}/", TimeSpan.FromSeconds(8)).EnsureSuccess().StandardOutput);

    private static IResult Snapshot(DateTimeOffset timestamp, string process = "api-server", double? intervalSeconds = null, IReadOnlyList<SnapshotDocument.Namespace>? namespaces = null) => Results.Json(
        new SnapshotDocument(
            timestamp,
            0.002,
            "netlink",
            new Dictionary<string, long> { ["established"] = 12, ["close_wait"] = 7, ["listen"] = 1 },
            [new SnapshotDocument.Group("close_wait", "server", "8080", process, null, 7, 450, 7)],
            [new SnapshotDocument.Queue(8080, process, null, 0, 128)],
            0,
            0,
            new SnapshotDocument.Range(32768, 60999, 0, 28232),
            [],
            namespaces,
            intervalSeconds),
        SnapshotJsonContext.Default.SnapshotDocument);
}
