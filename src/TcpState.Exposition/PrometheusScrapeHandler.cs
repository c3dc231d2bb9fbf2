using System.IO.Compression;

namespace TcpState.Exposition;

/// <summary>
/// Serves scrapes: negotiates the format, shares one collection between concurrent scrapes, and
/// reuses it (with its encoded and gzip-compressed bodies) for <see cref="PrometheusScrapeHandlerOptions.CacheDuration"/>.
/// Independent of ASP.NET Core; the host maps it to an HTTP endpoint. Thread-safe.
/// </summary>
public sealed class PrometheusScrapeHandler
{
    private readonly IMetricFamilySource source;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan cacheDuration;
    private readonly CompressionLevel gzipLevel;
    private readonly Lock gate = new();
    private CollectedMetrics? latest;
    private Task<CollectedMetrics>? pending;

    /// <summary>Initializes a new scrape handler.</summary>
    /// <param name="source">Where metrics come from, usually an <see cref="OpenTelemetryMetricCollector"/>.</param>
    /// <param name="options">The options; <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for cache expiry; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public PrometheusScrapeHandler(IMetricFamilySource source, PrometheusScrapeHandlerOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new PrometheusScrapeHandlerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheDuration, TimeSpan.Zero, nameof(options));

        this.source = source;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.cacheDuration = options.CacheDuration;
        this.gzipLevel = options.GzipLevel;
    }

    /// <summary>Serves one scrape.</summary>
    /// <param name="accept">The request's <c>Accept</c> header (see <see cref="ScrapeContentNegotiation.SelectFormat"/>).</param>
    /// <param name="acceptEncoding">The request's <c>Accept-Encoding</c> header (see <see cref="ScrapeContentNegotiation.AcceptsGzip"/>).</param>
    /// <param name="cancellationToken">Stops waiting for another scrape's collection; a collection this call runs itself is not interrupted.</param>
    /// <returns>The response to send. The host should also send <c>Vary: Accept, Accept-Encoding</c>.</returns>
    /// <exception cref="InvalidOperationException">Collection failed (e.g. the meter provider is not running); answer 503.</exception>
    public async ValueTask<PrometheusScrapeResponse> ScrapeAsync(string? accept, string? acceptEncoding, CancellationToken cancellationToken = default)
    {
        var format = ScrapeContentNegotiation.SelectFormat(accept);
        var gzip = ScrapeContentNegotiation.AcceptsGzip(acceptEncoding);
        var collected = await this.GetCollectedAsync(cancellationToken).ConfigureAwait(false);
        return collected.GetResponse(format, gzip);
    }

    private ValueTask<CollectedMetrics> GetCollectedAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<CollectedMetrics> collection;
        lock (this.gate)
        {
            if (this.latest is { } latest && this.timeProvider.GetElapsedTime(latest.CollectedTimestamp) < this.cacheDuration)
            {
                return ValueTask.FromResult(latest);
            }

            if (this.pending is { } pending)
            {
                return new ValueTask<CollectedMetrics>(pending.WaitAsync(cancellationToken));
            }

            // Continuations run asynchronously so that waiters never run on the collecting thread.
            collection = new TaskCompletionSource<CollectedMetrics>(TaskCreationOptions.RunContinuationsAsynchronously);
            this.pending = collection.Task;
        }

        return ValueTask.FromResult(this.CollectAndPublish(collection));
    }

    private CollectedMetrics CollectAndPublish(TaskCompletionSource<CollectedMetrics> collection)
    {
        CollectedMetrics collected;
        try
        {
            // The SDK collects synchronously; the scrape that found the cache stale pays for it.
            var families = this.source.Collect();
            collected = new CollectedMetrics(families, this.timeProvider.GetTimestamp(), this.timeProvider.GetUtcNow(), this.gzipLevel);
        }
        catch (Exception exception)
        {
            lock (this.gate)
            {
                this.pending = null;
            }

            // Waiters see the same failure; nothing is cached, so the next scrape retries.
            collection.SetException(exception);

            // Mark it observed: when nobody was waiting, the failure is reported by the throw below only.
            _ = collection.Task.Exception;
            throw;
        }

        lock (this.gate)
        {
            this.latest = collected;
            this.pending = null;
        }

        collection.SetResult(collected);
        return collected;
    }
}
