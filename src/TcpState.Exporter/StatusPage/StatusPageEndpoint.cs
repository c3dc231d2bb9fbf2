using Microsoft.AspNetCore.Http;
using TcpState.Exporter.Configuration;

namespace TcpState.Exporter.StatusPage;

/// <summary>Serves the status page at <c>/</c> with its Content-Security-Policy.</summary>
public static class StatusPageEndpoint
{
    /// <summary>Renders the page once for the daemon's settings and returns the handler that serves it.</summary>
    public static RequestDelegate Create(ExporterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(StatusPageDocument.Render(options.TelemetryPath, options.SampleInterval, options.StuckThreshold, Environment.MachineName));
    }

    public static RequestDelegate Create(StatusPageDocument page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return context =>
        {
            var response = context.Response;
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = page.Utf8.Length;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = page.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // Revalidate each time: after an upgrade the page and its policy change together.
            headers.CacheControl = "no-cache";
            return HttpMethods.IsHead(context.Request.Method)
                ? Task.CompletedTask
                : response.Body.WriteAsync(page.Utf8, context.RequestAborted).AsTask();
        };
    }
}
