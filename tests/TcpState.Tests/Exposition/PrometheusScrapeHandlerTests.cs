using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using TcpState.Exposition;
using Xunit;

namespace TcpState.Tests.Exposition;

public sealed class PrometheusScrapeHandlerTests
{
    private const string OpenMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

    [Fact]
    public async Task ScrapeAsync_NoAcceptHeader_ReturnsPrometheusText()
    {
        using var source = new CountingMetricFamilySource();
        var handler = new PrometheusScrapeHandler(source);

        var response = await handler.ScrapeAsync(null, null);

        Assert.Equal(ExpositionFormat.PrometheusText, response.Format);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.ContentType);
        Assert.Null(response.ContentEncoding);
        Assert.Equal("# HELP test_collection Collection number.\n# TYPE test_collection gauge\ntest_collection 1\n", Text(response.Body));
    }

    [Fact]
    public async Task ScrapeAsync_OpenMetricsAccepted_ReturnsOpenMetrics()
    {
        using var source = new CountingMetricFamilySource();
        var handler = new PrometheusScrapeHandler(source);

        var response = await handler.ScrapeAsync(OpenMetricsAccept, null);

        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", response.ContentType);
        Assert.EndsWith("# EOF\n", Text(response.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeAsync_GzipAccepted_ReturnsGzipBodyThatDecompressesToPlainBody()
    {
        using var source = new CountingMetricFamilySource();
        var handler = new PrometheusScrapeHandler(source, null, new ManualTimeProvider());

        var plain = await handler.ScrapeAsync(OpenMetricsAccept, null);
        var compressed = await handler.ScrapeAsync(OpenMetricsAccept, "gzip, deflate");
        var compressedAgain = await handler.ScrapeAsync(OpenMetricsAccept, "gzip");

        Assert.Equal("gzip", compressed.ContentEncoding);
        Assert.Equal(plain.ContentType, compressed.ContentType);
        Assert.Equal(plain.Body.ToArray(), Gunzip(compressed.Body));

        // The compressed body is cached with the collection rather than compressed per scrape.
        Assert.Same(ArrayOf(compressed.Body), ArrayOf(compressedAgain.Body));
        Assert.Equal(1, source.Collections);
    }

    [Fact]
    public async Task ScrapeAsync_TwoCallsWithinCacheDuration_CollectsOnce()
    {
        using var source = new CountingMetricFamilySource();
        var clock = new ManualTimeProvider();
        var handler = new PrometheusScrapeHandler(source, null, clock);

        var first = await handler.ScrapeAsync(null, null);
        clock.Advance(TimeSpan.FromMilliseconds(299));
        var second = await handler.ScrapeAsync(null, null);

        Assert.Equal(1, source.Collections);
        Assert.Same(ArrayOf(first.Body), ArrayOf(second.Body));
    }

    [Fact]
    public async Task ScrapeAsync_DifferentFormatsWithinCacheDuration_ShareOneCollection()
    {
        using var source = new CountingMetricFamilySource();
        var handler = new PrometheusScrapeHandler(source, null, new ManualTimeProvider());

        var text = await handler.ScrapeAsync(null, null);
        var openMetrics = await handler.ScrapeAsync(OpenMetricsAccept, "gzip");

        Assert.Equal(1, source.Collections);
        Assert.Contains("test_collection 1\n", Text(text.Body), StringComparison.Ordinal);
        Assert.Contains("test_collection 1\n", Encoding.UTF8.GetString(Gunzip(openMetrics.Body)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeAsync_AfterCacheDurationElapsed_CollectsAgain()
    {
        using var source = new CountingMetricFamilySource();
        var clock = new ManualTimeProvider();
        var handler = new PrometheusScrapeHandler(source, null, clock);

        await handler.ScrapeAsync(null, null);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        var second = await handler.ScrapeAsync(null, null);

        Assert.Equal(2, source.Collections);
        Assert.Contains("test_collection 2\n", Text(second.Body), StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow(), second.CollectedAt);
    }

    [Fact]
    public async Task ScrapeAsync_ConfiguredCacheDuration_IsHonoured()
    {
        using var source = new CountingMetricFamilySource();
        var clock = new ManualTimeProvider();
        var handler = new PrometheusScrapeHandler(source, new PrometheusScrapeHandlerOptions { CacheDuration = TimeSpan.FromSeconds(5) }, clock);

        await handler.ScrapeAsync(null, null);
        clock.Advance(TimeSpan.FromSeconds(4));
        await handler.ScrapeAsync(null, null);
        clock.Advance(TimeSpan.FromSeconds(1));
        await handler.ScrapeAsync(null, null);

        Assert.Equal(2, source.Collections);
    }

    [Fact]
    public async Task ScrapeAsync_ZeroCacheDuration_CollectsEveryTime()
    {
        using var source = new CountingMetricFamilySource();
        var handler = new PrometheusScrapeHandler(source, new PrometheusScrapeHandlerOptions { CacheDuration = TimeSpan.Zero }, new ManualTimeProvider());

        await handler.ScrapeAsync(null, null);
        await handler.ScrapeAsync(null, null);

        Assert.Equal(2, source.Collections);
    }

    [Fact]
    public async Task ScrapeAsync_ConcurrentCallsDuringCollection_ShareOneCollection()
    {
        using var source = new CountingMetricFamilySource(blockUntilReleased: true);
        var handler = new PrometheusScrapeHandler(source, new PrometheusScrapeHandlerOptions { CacheDuration = TimeSpan.Zero }, new ManualTimeProvider());

        var collecting = Task.Run(async () => await handler.ScrapeAsync(null, null));
        Assert.True(await source.CollectionStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var waiters = new[]
        {
            handler.ScrapeAsync(null, null).AsTask(),
            handler.ScrapeAsync(OpenMetricsAccept, "gzip").AsTask(),
        };

        Assert.False(waiters[0].IsCompleted);
        source.Release();
        var responses = await Task.WhenAll([collecting, .. waiters]);

        Assert.Equal(1, source.Collections);
        Assert.Same(ArrayOf(responses[0].Body), ArrayOf(responses[1].Body));
        Assert.Equal("gzip", responses[2].ContentEncoding);
    }

    [Fact]
    public async Task ScrapeAsync_CollectionFails_PropagatesAndRetriesOnNextScrape()
    {
        using var source = new CountingMetricFamilySource { FailWith = new InvalidOperationException("provider is down") };
        var handler = new PrometheusScrapeHandler(source, null, new ManualTimeProvider());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await handler.ScrapeAsync(null, null));
        source.FailWith = null;
        var response = await handler.ScrapeAsync(null, null);

        Assert.Equal("provider is down", failure.Message);
        Assert.Equal(2, source.Collections);
        Assert.Contains("test_collection 2\n", Text(response.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeAsync_WaiterCancelled_StopsWaitingWithoutDisturbingCollection()
    {
        using var source = new CountingMetricFamilySource(blockUntilReleased: true);
        var handler = new PrometheusScrapeHandler(source, null, new ManualTimeProvider());
        using var cancellation = new CancellationTokenSource();

        var collecting = Task.Run(async () => await handler.ScrapeAsync(null, null));
        Assert.True(await source.CollectionStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var waiter = handler.ScrapeAsync(null, null, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        source.Release();
        Assert.Contains("test_collection 1\n", Text((await collecting).Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeAsync_LargeExposition_IsWrittenInSegmentsBelowTheLargeObjectHeap()
    {
        // ~2,000 series, as the exporter serves: about 150 KB of text.
        using var source = new CountingMetricFamilySource(series: 2000);
        var handler = new PrometheusScrapeHandler(source, null, new ManualTimeProvider());

        using var plain = await handler.ScrapeAsync(OpenMetricsAccept, null);
        using var compressed = await handler.ScrapeAsync(OpenMetricsAccept, "gzip");

        var expected = PrometheusTextSerializer.Serialize(new CountingMetricFamilySource(series: 2000).Collect(), ExpositionFormat.OpenMetrics);
        Assert.True(expected.Length > 100_000, $"only {expected.Length} bytes");
        Assert.False(plain.Body.IsSingleSegment);
        Assert.Equal(expected, plain.Body.ToArray());
        Assert.Equal(expected, Gunzip(compressed.Body));
        foreach (var segment in plain.Body)
        {
            // 85,000 bytes is where .NET allocates on the large object heap.
            Assert.True(ArrayOf(new ReadOnlySequence<byte>(segment)).Length < 85_000);
        }
    }

    [Fact]
    public async Task ScrapeAsync_ResponseHeldWhileLaterCollectionsReuseTheMemory_KeepsItsBody()
    {
        // A slow client still sending collection 1 while later scrapes collect and dispose theirs.
        using var source = new CountingMetricFamilySource(series: 2000);
        var clock = new ManualTimeProvider();
        var handler = new PrometheusScrapeHandler(source, null, clock);
        using var held = await handler.ScrapeAsync(null, "gzip");
        var before = Gunzip(held.Body);

        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            using var later = await handler.ScrapeAsync(null, "gzip");
            Assert.Contains($"test_collection {i + 2}\n", Encoding.UTF8.GetString(Gunzip(later.Body)), StringComparison.Ordinal);
        }

        Assert.Equal(6, source.Collections);
        Assert.Equal(before, Gunzip(held.Body));
        Assert.Contains("test_series{port=\"1999\",process=\"a-fairly-long-process-name\"} 1\n", Encoding.UTF8.GetString(before), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeAsync_DataVersionChanges_CollectsAtOnceElseWaitsForTheCacheDuration()
    {
        using var source = new CountingMetricFamilySource();
        var clock = new ManualTimeProvider();
        var version = new object();
        var handler = new PrometheusScrapeHandler(source, new PrometheusScrapeHandlerOptions { CacheDuration = TimeSpan.FromSeconds(1), DataVersion = () => version }, clock);

        (await handler.ScrapeAsync(null, null)).Dispose();
        clock.Advance(TimeSpan.FromMilliseconds(999));
        (await handler.ScrapeAsync(null, null)).Dispose();
        Assert.Equal(1, source.Collections);

        version = new object(); // a new sample was published
        using var afterNewData = await handler.ScrapeAsync(null, null);
        Assert.Equal(2, source.Collections);
        Assert.Contains("test_collection 2\n", Text(afterNewData.Body), StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        (await handler.ScrapeAsync(null, null)).Dispose();
        Assert.Equal(2, source.Collections);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await handler.ScrapeAsync(null, null)).Dispose();
        Assert.Equal(3, source.Collections);
    }

    private static string Text(ReadOnlySequence<byte> body) => Encoding.UTF8.GetString(body);

    // The array behind the body's first segment: the same array means the same encoded body.
    private static byte[] ArrayOf(ReadOnlySequence<byte> body) =>
        MemoryMarshal.TryGetArray(body.First, out var segment) ? segment.Array! : throw new InvalidOperationException("Body is not array-backed.");

    private static byte[] Gunzip(ReadOnlySequence<byte> body)
    {
        using var input = new MemoryStream(body.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
