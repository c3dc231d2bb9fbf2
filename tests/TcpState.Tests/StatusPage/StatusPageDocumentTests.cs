using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TcpState.Exporter.StatusPage;

namespace TcpState.Tests.StatusPage;

/// <summary>The rendered page and its policy, checked as text: self-contained, encoded, and allowed to run only its own blocks.</summary>
public sealed partial class StatusPageDocumentTests
{
    private static StatusPageDocument Default() =>
        StatusPageDocument.Render("/metrics", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "web-1");

    [Fact]
    public void Render_DefaultSettings_HasNoExternalUrl()
    {
        var html = Default().Html;

        // Not even in text: the page must work offline, so it names no other site at all.
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        var references = Reference().Matches(html).Select(m => m.Groups[2].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, url => Assert.True(IsSameOriginPath(url), $"{url} is not a path on this origin"));
        // No CSS imports or url() either: fonts, images and sheets would all be fetched.
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@font-face", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DefaultSettings_LinksToMetricsHealthAndTheSnapshot()
    {
        var html = Default().Html;

        Assert.Contains("href=\"/metrics\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/healthz\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/api/v1/snapshot\"", html, StringComparison.Ordinal);
        Assert.Contains("fetch('/api/v1/snapshot'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ConfiguredTelemetryPath_LinksToIt()
    {
        var html = StatusPageDocument.Render("/internal/prom", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "web-1").Html;

        Assert.Contains("href=\"/internal/prom\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/metrics\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MarkupInTelemetryPathAndHostName_IsHtmlEncoded()
    {
        var html = StatusPageDocument.Render("/m\"><script>alert(1)</script>", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "<b>host</b>&").Html;

        Assert.Contains("href=\"/m&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"", html, StringComparison.Ordinal);
        Assert.Contains("TCP sockets on &lt;b&gt;host&lt;/b&gt;&amp;", html, StringComparison.Ordinal);
        Assert.Single(ScriptOpen().Matches(html));
    }

    [Theory]
    [InlineData("//evil.example/metrics", "/.//evil.example/metrics")]
    [InlineData("/\\evil.example", "/./\\evil.example")]
    public void Render_ProtocolRelativeTelemetryPath_StaysOnThisOrigin(string path, string href)
    {
        var html = StatusPageDocument.Render(path, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "web-1").Html;

        Assert.Contains($"href=\"{href}\"", html, StringComparison.Ordinal);
        Assert.All(Reference().Matches(html).Select(m => m.Groups[2].Value), url => Assert.True(IsSameOriginPath(url), $"{url} is not a path on this origin"));
    }

    [Fact]
    public void Render_Settings_AreHandedToTheScriptAsDataAttributes()
    {
        var html = StatusPageDocument.Render("/metrics", TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(90), "web-1").Html;

        Assert.Contains("data-sample-interval-seconds=\"1.5\"", html, StringComparison.Ordinal);
        Assert.Contains("data-stuck-threshold-seconds=\"90\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ContentSecurityPolicy_Rendered_AllowsOnlySelfAndTheInlineBlocksByHash()
    {
        var page = Default();
        var directives = page.ContentSecurityPolicy.Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

        Assert.Equal("'none'", directives["default-src"]);
        Assert.Equal(Hash(Block(page.Html, "script")), directives["script-src"]);
        Assert.Equal(Hash(Block(page.Html, "style")), directives["style-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.DoesNotContain("unsafe", page.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("nonce", page.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("*", page.ContentSecurityPolicy, StringComparison.Ordinal);
        // Style attributes are not covered by a hash; the page must not need any.
        Assert.DoesNotContain(" style=", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_Rendered_InsertsExporterDataAsTextOnly()
    {
        var script = Block(Default().Html, "script");

        // Process names come from whoever starts the process; markup sinks would let one inject HTML.
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("outerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("document.write", script, StringComparison.Ordinal);
        Assert.DoesNotContain("eval(", script, StringComparison.Ordinal);
    }

    private static bool IsSameOriginPath(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    // Computed here independently of the product's code, from the text the browser will hash.
    private static string Block(string html, string element)
    {
        var match = Regex.Match(html, $"<{element}>(.*?)</{element}>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no <{element}> in the page");
        return match.Groups[1].Value;
    }

    private static string Hash(string text) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";

    // Every attribute that makes the browser load or link something.
    [GeneratedRegex("\\b(src|href|action|formaction|poster|data|srcset)\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    [GeneratedRegex("<script[\\s>]", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOpen();
}
