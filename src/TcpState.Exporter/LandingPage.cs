using System.Net;

namespace TcpState.Exporter;

/// <summary>The small page at <c>/</c> that links to the metrics.</summary>
public static class LandingPage
{
    public static string Html(string telemetryPath)
    {
        var path = WebUtility.HtmlEncode(telemetryPath);
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>tcpstate-exporter</title></head>
            <body>
            <h1>tcpstate-exporter</h1>
            <p>Counts this host's TCP sockets by state, port and role, for Prometheus.</p>
            <ul>
            <li><a href="{path}">Metrics</a> ({path})</li>
            <li><a href="/healthz">Health</a> (/healthz)</li>
            </ul>
            </body>
            </html>
            """;
    }
}
