using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace TcpState.Exporter.StatusPage;

/// <summary>
/// The status page served at <c>/</c>, rendered once for the daemon's settings: one self-contained
/// HTML document (inline CSS and JavaScript, no external assets) and the Content-Security-Policy
/// that lets exactly its own inline script and style run.
/// </summary>
/// <remarks>
/// The policy allows the inline blocks by their SHA-256 hash, computed here when the page is
/// rendered at start-up, rather than by a nonce. The page is the same for every request, so a hash
/// lets it be built once and served as fixed bytes, while a nonce only means something if it is
/// unpredictable and fresh in every response. A hash also pins the script's exact text: markup that
/// somehow got into the page (the settings injected below are HTML-encoded, and the script inserts
/// exporter data as text only) could not run. Computing it from the rendered page, instead of at
/// build time, means the page and its policy cannot drift apart.
/// </remarks>
public sealed class StatusPageDocument
{
    /// <summary>The manifest name of status.html, fixed in the project file so renaming the namespace cannot break it.</summary>
    internal const string ResourceName = "TcpState.Exporter.StatusPage.status.html";

    private static readonly Lazy<string> Template = new(LoadTemplate);

    private StatusPageDocument(string html, string contentSecurityPolicy)
    {
        Html = html;
        Utf8 = Encoding.UTF8.GetBytes(html);
        ContentSecurityPolicy = contentSecurityPolicy;
    }

    public string Html { get; }

    /// <summary>The page as sent.</summary>
    public byte[] Utf8 { get; }

    /// <summary>The value of the Content-Security-Policy header to send with <see cref="Html"/>.</summary>
    public string ContentSecurityPolicy { get; }

    /// <summary>Renders the page for the given settings; every injected value is HTML-encoded.</summary>
    public static StatusPageDocument Render(string telemetryPath, TimeSpan sampleInterval, TimeSpan stuckThreshold, string hostName)
    {
        ArgumentNullException.ThrowIfNull(telemetryPath);
        ArgumentNullException.ThrowIfNull(hostName);
        var html = Template.Value
            .Replace("{{telemetry-path}}", WebUtility.HtmlEncode(SameOriginPath(telemetryPath)), StringComparison.Ordinal)
            .Replace("{{host}}", WebUtility.HtmlEncode(hostName), StringComparison.Ordinal)
            .Replace("{{sample-interval-seconds}}", Seconds(sampleInterval), StringComparison.Ordinal)
            .Replace("{{stuck-threshold-seconds}}", Seconds(stuckThreshold), StringComparison.Ordinal);
        if (html.Contains("{{", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{ResourceName} has a placeholder that is not filled in");
        }

        var policy = string.Join("; ",
            "default-src 'none'",
            $"script-src {InlineHash(html, "script")}",
            $"style-src {InlineHash(html, "style")}",
            // The page's only request: the snapshot it refreshes from, on this origin.
            "connect-src 'self'",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            // The script builds the DOM with textContent only; this makes any innerHTML-style sink fail.
            "require-trusted-types-for 'script'");
        return new StatusPageDocument(html, policy);
    }

    /// <summary>
    /// The telemetry path as a link that stays on this origin. The settings accept any path starting
    /// with '/', and browsers read "//host" and "/\host" as another host; "/." in front keeps such a
    /// path on this server (the browser removes the dot segment and requests the same path).
    /// </summary>
    internal static string SameOriginPath(string path) =>
        path.StartsWith("//", StringComparison.Ordinal) || path.StartsWith("/\\", StringComparison.Ordinal) ? "/." + path : path;

    /// <summary>The CSP source for the one inline element named <paramref name="element"/>: 'sha256-BASE64' of its text as UTF-8.</summary>
    internal static string InlineHash(string html, string element)
    {
        var open = $"<{element}>";
        var close = $"</{element}>";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        var end = html.IndexOf(close, StringComparison.Ordinal);
        if (start < 0 || end < start || html.IndexOf(open, start + 1, StringComparison.Ordinal) >= 0)
        {
            // The policy lists one hash per element type; a second block would be blocked by the browser.
            throw new InvalidOperationException($"{ResourceName} must hold exactly one <{element}> block");
        }

        var text = html[(start + open.Length)..end];
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("R", CultureInfo.InvariantCulture);

    private static string LoadTemplate()
    {
        using var stream = typeof(StatusPageDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // Browsers hash the script text after turning CRLF into LF; a checkout with CRLF line ends
        // must hash the same way.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
