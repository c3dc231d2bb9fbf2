using System.Globalization;

namespace TcpState.Exposition;

/// <summary>Chooses the exposition format and compression from HTTP request headers.</summary>
public static class ScrapeContentNegotiation
{
    /// <summary>
    /// Chooses OpenMetrics when the <c>Accept</c> header lists <c>application/openmetrics-text</c>
    /// (version 1.0.0, 0.0.1 or none) with a quality at least as high as any range that text format
    /// 0.0.4 satisfies (<c>text/plain</c>, <c>text/*</c>, <c>*/*</c>); otherwise Prometheus text.
    /// Prometheus servers list OpenMetrics first with the highest quality, so they get OpenMetrics.
    /// </summary>
    /// <param name="accept">The <c>Accept</c> header value; several header lines may be joined with commas.</param>
    /// <returns>The format to respond with. Unsatisfiable headers get Prometheus text rather than an error.</returns>
    public static ExpositionFormat SelectFormat(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return ExpositionFormat.PrometheusText;
        }

        var openMetricsQuality = 0.0;
        var textQuality = 0.0;
        var header = accept.AsSpan();
        foreach (var range in header.Split(','))
        {
            var mediaRange = header[range];
            var separator = mediaRange.IndexOf(';');
            var mediaType = (separator < 0 ? mediaRange : mediaRange[..separator]).Trim();
            var parameters = separator < 0 ? default : mediaRange[(separator + 1)..];
            var quality = GetParameter(parameters, "q") is { } q ? ParseQuality(q) : 1.0;

            if (mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
            {
                var version = GetParameter(parameters, "version");
                if (version is null || version == "1.0.0" || version == "0.0.1")
                {
                    openMetricsQuality = Math.Max(openMetricsQuality, quality);
                }
            }
            else if (mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
                || mediaType.Equals("text/*", StringComparison.OrdinalIgnoreCase)
                || mediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            {
                textQuality = Math.Max(textQuality, quality);
            }
        }

        return openMetricsQuality > 0 && openMetricsQuality >= textQuality
            ? ExpositionFormat.OpenMetrics
            : ExpositionFormat.PrometheusText;
    }

    /// <summary>Gets whether the <c>Accept-Encoding</c> header allows gzip (<c>gzip</c>, <c>x-gzip</c> or <c>*</c> with a quality above zero).</summary>
    /// <param name="acceptEncoding">The <c>Accept-Encoding</c> header value.</param>
    /// <returns><see langword="true"/> when the response may be gzip-compressed.</returns>
    public static bool AcceptsGzip(string? acceptEncoding)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding))
        {
            return false;
        }

        double? gzipQuality = null;
        double? anyQuality = null;
        var header = acceptEncoding.AsSpan();
        foreach (var range in header.Split(','))
        {
            var coding = header[range];
            var separator = coding.IndexOf(';');
            var name = (separator < 0 ? coding : coding[..separator]).Trim();
            var parameters = separator < 0 ? default : coding[(separator + 1)..];
            var quality = GetParameter(parameters, "q") is { } q ? ParseQuality(q) : 1.0;

            if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzipQuality = Math.Max(gzipQuality ?? 0, quality);
            }
            else if (name.Equals("*", StringComparison.OrdinalIgnoreCase))
            {
                anyQuality = Math.Max(anyQuality ?? 0, quality);
            }
        }

        // An explicit "gzip;q=0" wins over "*".
        return (gzipQuality ?? anyQuality ?? 0) > 0;
    }

    private static string? GetParameter(ReadOnlySpan<char> parameters, string name)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range];
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return parameter[(equals + 1)..].Trim().Trim('"').ToString();
        }

        return null;
    }

    private static double ParseQuality(string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quality)
            ? Math.Clamp(quality, 0, 1)
            : 0;
}
