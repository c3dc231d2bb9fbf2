using System.IO.Compression;

namespace TcpState.Exposition;

/// <summary>
/// Serves scrapes: negotiates the format, shares one collection between concurrent scrapes, and
/// reuses it (with its encoded and gzip-compressed bodies) for <see cref="PrometheusScrapeHandlerOptions.CacheDuration"/>,
/// or until <see cref="PrometheusScrapeHandlerOptions.DataVersion"/> changes. Bodies live in pooled
/// segments under the large-object-heap threshold, reused by the next collection once the
/// responses over them are disposed. Independent of ASP.NET Core; the host maps it to an HTTP
/// endpoint. Thread-safe.
/// </summary>
public sealed class PrometheusScrapeHandler
{
    // Rounds of looking for a collection to share before giving up (see GetCollectedAsync).
    private const int MaximumRounds = 16;

    private readonly IMetricFamilySource source;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan cacheDuration;
    private readonly CompressionLevel gzipLevel;
    private readonly Func<object?>? dataVersion;
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
        this.dataVersion = options.DataVersion;
    }

    /// <summary>Serves one scrape.</summary>
    /// <param name="accept">The request's <c>Accept</c> header (see <see cref="ScrapeContentNegotiation.SelectFormat"/>).</param>
    /// <param name="acceptEncoding">The request's <c>Accept-Encoding</c> header (see <see cref="ScrapeContentNegotiation.AcceptsGzip"/>).</param>
    /// <param name="cancellationToken">Stops waiting for another scrape's collection; a collection this call runs itself is not interrupted.</param>
    /// <returns>The response to send; dispose it once sent. The host should also send <c>Vary: Accept, Accept-Encoding</c>.</returns>
    /// <exception cref="InvalidOperationException">Collection failed (e.g. the meter provider is not running); answer 503.</exception>
    public async ValueTask<PrometheusScrapeResponse> ScrapeAsync(string? accept, string? acceptEncoding, CancellationToken cancellationToken = default)
    {
        var format = ScrapeContentNegotiation.SelectFormat(accept);
        var gzip = ScrapeContentNegotiation.AcceptsGzip(acceptEncoding);
        var collected = await this.GetCollectedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return collected.GetResponse(format, gzip);
        }
        catch
        {
            collected.Release();
            throw;
        }
    }

    // Returns the collection with a lease taken for the caller.
    private async ValueTask<CollectedMetrics> GetCollectedAsync(CancellationToken cancellationToken)
    {
        // A collection awaited here can be replaced (and its lease count reach 0) before this
        // caller takes its lease, when a newer collection completes in between: then go round
        // again, where the newer one is found. A few rounds at most in practice; bounded anyway.
        for (var round = 0; round < MaximumRounds; round++)
        {
            Task<CollectedMetrics>? pendingCollection = null;
            TaskCompletionSource<CollectedMetrics>? collection = null;
            lock (this.gate)
            {
                // The cache's own lease is held while it is `latest`, so this acquire succeeds.
                if (this.latest is { } latest && this.IsFresh(latest) && latest.TryAcquire())
                {
                    return latest;
                }

                if (this.pending is { } pending)
                {
                    pendingCollection = pending;
                }
                else
                {
                    // Continuations run asynchronously so that waiters never run on the collecting thread.
                    collection = new TaskCompletionSource<CollectedMetrics>(TaskCreationOptions.RunContinuationsAsynchronously);
                    this.pending = collection.Task;
                }
            }

            if (collection is not null)
            {
                return this.CollectAndPublish(collection);
            }

            var shared = await pendingCollection!.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (shared.TryAcquire())
            {
                return shared;
            }
        }

        throw new InvalidOperationException("Collections were replaced faster than a scrape could use one.");
    }

    private bool IsFresh(CollectedMetrics collected) =>
        this.timeProvider.GetElapsedTime(collected.CollectedTimestamp) < this.cacheDuration
        && (this.dataVersion is null || ReferenceEquals(this.dataVersion(), collected.DataVersion));

    private CollectedMetrics CollectAndPublish(TaskCompletionSource<CollectedMetrics> collection)
    {
        CollectedMetrics collected;
        try
        {
            // The SDK collects synchronously; the scrape that found the cache stale pays for it.
            // The version is read first: data published during the collection makes it stale.
            var version = this.dataVersion?.Invoke();
            var families = this.source.Collect();
            collected = new CollectedMetrics(families, this.timeProvider.GetTimestamp(), this.timeProvider.GetUtcNow(), this.gzipLevel, version);
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

        // One lease for the cache (from construction), one for this caller; waiters take theirs.
        collected.TryAcquire();
        CollectedMetrics? replaced;
        lock (this.gate)
        {
            replaced = this.latest;
            this.latest = collected;
            this.pending = null;
        }

        replaced?.Release();
        collection.SetResult(collected);
        return collected;
    }
}
