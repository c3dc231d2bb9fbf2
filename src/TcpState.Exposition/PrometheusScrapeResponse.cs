using System.Buffers;

namespace TcpState.Exposition;

/// <summary>
/// An encoded scrape response, shared by every caller of the same collection: do not modify
/// <see cref="Body"/>. Dispose it once the body is sent: its memory is pooled and is reused by a
/// later collection after the last response over it is disposed (an undisposed response only
/// keeps that memory from the pool).
/// </summary>
public sealed class PrometheusScrapeResponse : IDisposable
{
    private Action? release;

    internal PrometheusScrapeResponse(ReadOnlySequence<byte> body, ExpositionFormat format, bool gzip, DateTimeOffset collectedAt, Action release)
    {
        this.Body = body;
        this.Format = format;
        this.ContentType = PrometheusTextSerializer.GetContentType(format);
        this.ContentEncoding = gzip ? "gzip" : null;
        this.CollectedAt = collectedAt;
        this.release = release;
    }

    /// <summary>Gets the response body, gzip-compressed when <see cref="ContentEncoding"/> is <c>gzip</c>; valid until disposed.</summary>
    public ReadOnlySequence<byte> Body { get; }

    /// <summary>Gets the negotiated exposition format.</summary>
    public ExpositionFormat Format { get; }

    /// <summary>Gets the value for the <c>Content-Type</c> header.</summary>
    public string ContentType { get; }

    /// <summary>Gets the value for the <c>Content-Encoding</c> header, or <see langword="null"/> when the body is not compressed.</summary>
    public string? ContentEncoding { get; }

    /// <summary>Gets when the collection behind this response finished.</summary>
    public DateTimeOffset CollectedAt { get; }

    /// <summary>Lets the body's memory go back to the pool (once every response sharing it is disposed).</summary>
    public void Dispose() => Interlocked.Exchange(ref this.release, null)?.Invoke();
}
