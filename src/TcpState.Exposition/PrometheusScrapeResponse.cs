namespace TcpState.Exposition;

/// <summary>An encoded scrape response, shared by every caller of the same collection: do not modify <see cref="Body"/>.</summary>
public sealed class PrometheusScrapeResponse
{
    internal PrometheusScrapeResponse(ReadOnlyMemory<byte> body, ExpositionFormat format, bool gzip, DateTimeOffset collectedAt)
    {
        this.Body = body;
        this.Format = format;
        this.ContentType = PrometheusTextSerializer.GetContentType(format);
        this.ContentEncoding = gzip ? "gzip" : null;
        this.CollectedAt = collectedAt;
    }

    /// <summary>Gets the response body, gzip-compressed when <see cref="ContentEncoding"/> is <c>gzip</c>.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Gets the negotiated exposition format.</summary>
    public ExpositionFormat Format { get; }

    /// <summary>Gets the value for the <c>Content-Type</c> header.</summary>
    public string ContentType { get; }

    /// <summary>Gets the value for the <c>Content-Encoding</c> header, or <see langword="null"/> when the body is not compressed.</summary>
    public string? ContentEncoding { get; }

    /// <summary>Gets when the collection behind this response finished.</summary>
    public DateTimeOffset CollectedAt { get; }
}
