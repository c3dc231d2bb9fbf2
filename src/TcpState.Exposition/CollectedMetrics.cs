using System.IO.Compression;

namespace TcpState.Exposition;

/// <summary>
/// One collection and its encodings. Each of the four bodies (two formats, plain or gzip) is
/// encoded at most once, on first request, however many scrapes share the collection, into
/// pooled segments (<see cref="SegmentedBuffer"/>). The segments go back to the pool when the
/// last lease is released: the handler's cache holds one until a newer collection replaces this
/// one, and every response being sent holds one, so a body is never reused under a slow client.
/// </summary>
internal sealed class CollectedMetrics
{
    private readonly IReadOnlyList<MetricFamily> families;
    private readonly CompressionLevel gzipLevel;
    private readonly Lazy<SegmentedBuffer>[] bodies;
    private readonly Lock leaseGate = new();
    private int leases = 1;

    public CollectedMetrics(IReadOnlyList<MetricFamily> families, long collectedTimestamp, DateTimeOffset collectedAt, CompressionLevel gzipLevel, object? dataVersion)
    {
        this.families = families;
        this.CollectedTimestamp = collectedTimestamp;
        this.CollectedAt = collectedAt;
        this.gzipLevel = gzipLevel;
        this.DataVersion = dataVersion;
        this.bodies =
        [
            new(() => this.Serialize(ExpositionFormat.PrometheusText)),
            new(() => this.Compress(ExpositionFormat.PrometheusText)),
            new(() => this.Serialize(ExpositionFormat.OpenMetrics)),
            new(() => this.Compress(ExpositionFormat.OpenMetrics)),
        ];
    }

    /// <summary>Gets the <see cref="TimeProvider.GetTimestamp"/> value when the collection finished.</summary>
    public long CollectedTimestamp { get; }

    /// <summary>Gets the wall-clock time when the collection finished.</summary>
    public DateTimeOffset CollectedAt { get; }

    /// <summary>Gets what <see cref="PrometheusScrapeHandlerOptions.DataVersion"/> returned just before collecting.</summary>
    public object? DataVersion { get; }

    /// <summary>Takes a lease; false once the last one was released (the bodies are gone).</summary>
    public bool TryAcquire()
    {
        lock (this.leaseGate)
        {
            if (this.leases == 0)
            {
                return false;
            }

            this.leases++;
            return true;
        }
    }

    /// <summary>Gives a lease back; the last one returns the bodies' segments to the pool.</summary>
    public void Release()
    {
        lock (this.leaseGate)
        {
            if (this.leases == 0 || --this.leases > 0)
            {
                return;
            }
        }

        foreach (var body in this.bodies)
        {
            if (body.IsValueCreated)
            {
                body.Value.Dispose();
            }
        }
    }

    /// <summary>Gets a response; the caller must hold a lease, which the response takes over.</summary>
    public PrometheusScrapeResponse GetResponse(ExpositionFormat format, bool gzip) =>
        new(this.GetBody(format, gzip).ToSequence(), format, gzip, this.CollectedAt, this.Release);

    private SegmentedBuffer GetBody(ExpositionFormat format, bool gzip) =>
        this.bodies[(format == ExpositionFormat.OpenMetrics ? 2 : 0) + (gzip ? 1 : 0)].Value;

    private SegmentedBuffer Serialize(ExpositionFormat format)
    {
        var body = new SegmentedBuffer();
        PrometheusTextSerializer.Write(body, this.families, format);
        return body;
    }

    private SegmentedBuffer Compress(ExpositionFormat format)
    {
        var plain = this.GetBody(format, gzip: false).ToSequence();
        var compressed = new SegmentedBuffer();
        using (var gzip = new GZipStream(new SegmentedBufferStream(compressed), this.gzipLevel))
        {
            foreach (var segment in plain)
            {
                gzip.Write(segment.Span);
            }
        }

        return compressed;
    }
}
