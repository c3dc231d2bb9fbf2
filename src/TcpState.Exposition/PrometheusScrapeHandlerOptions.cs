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

    /// <summary>
    /// Gets or sets what tells that the source has new data, or <see langword="null"/> (the
    /// default) to rely on <see cref="CacheDuration"/> alone. It is called before each collection
    /// and on every scrape; a collection is reused only while it returns the same object (by
    /// reference) and <see cref="CacheDuration"/> has not passed. With a source whose data changes
    /// at known moments (a new sample), a longer <see cref="CacheDuration"/> then costs no freshness
    /// of that data.
    /// </summary>
    public Func<object?>? DataVersion { get; set; }

    /// <summary>Gets or sets the gzip level; responses are compressed once per collection and format.</summary>
    public CompressionLevel GzipLevel { get; set; } = CompressionLevel.Fastest;
}
