using System.IO.Compression;

namespace TcpState.Exposition;

/// <summary>
/// One collection and its encodings. Each of the four bodies (two formats, plain or gzip) is
/// encoded at most once, on first request, however many scrapes share the collection.
/// </summary>
internal sealed class CollectedMetrics
{
    private readonly IReadOnlyList<MetricFamily> families;
    private readonly CompressionLevel gzipLevel;
    private readonly Lazy<byte[]>[] bodies;

    public CollectedMetrics(IReadOnlyList<MetricFamily> families, long collectedTimestamp, DateTimeOffset collectedAt, CompressionLevel gzipLevel)
    {
        this.families = families;
        this.CollectedTimestamp = collectedTimestamp;
        this.CollectedAt = collectedAt;
        this.gzipLevel = gzipLevel;
        this.bodies =
        [
            new(() => PrometheusTextSerializer.Serialize(this.families, ExpositionFormat.PrometheusText)),
            new(() => this.Compress(ExpositionFormat.PrometheusText)),
            new(() => PrometheusTextSerializer.Serialize(this.families, ExpositionFormat.OpenMetrics)),
            new(() => this.Compress(ExpositionFormat.OpenMetrics)),
        ];
    }

    /// <summary>Gets the <see cref="TimeProvider.GetTimestamp"/> value when the collection finished.</summary>
    public long CollectedTimestamp { get; }

    /// <summary>Gets the wall-clock time when the collection finished.</summary>
    public DateTimeOffset CollectedAt { get; }

    public PrometheusScrapeResponse GetResponse(ExpositionFormat format, bool gzip) =>
        new(this.GetBody(format, gzip), format, gzip, this.CollectedAt);

    private byte[] GetBody(ExpositionFormat format, bool gzip) =>
        this.bodies[(format == ExpositionFormat.OpenMetrics ? 2 : 0) + (gzip ? 1 : 0)].Value;

    private byte[] Compress(ExpositionFormat format)
    {
        var plain = this.GetBody(format, gzip: false);
        using var output = new MemoryStream(plain.Length / 4 + 64);
        using (var gzip = new GZipStream(output, this.gzipLevel, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        return output.ToArray();
    }
}
