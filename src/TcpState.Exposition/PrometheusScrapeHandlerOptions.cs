using System.IO.Compression;

namespace TcpState.Exposition;

/// <summary>Options of <see cref="PrometheusScrapeHandler"/>.</summary>
public sealed class PrometheusScrapeHandlerOptions
{
    /// <summary>
    /// Gets or sets how long a collection is reused for further scrapes (of either format,
    /// compressed or not). <see cref="TimeSpan.Zero"/> collects on every scrape, though scrapes
    /// arriving during a collection still share it. Defaults to 300 ms, like the official exporter.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Gets or sets the gzip level; responses are compressed once per collection and format.</summary>
    public CompressionLevel GzipLevel { get; set; } = CompressionLevel.Fastest;
}
