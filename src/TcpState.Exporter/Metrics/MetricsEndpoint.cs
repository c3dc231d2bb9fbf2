using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TcpState.Exporter.Configuration;
using TcpState.Exposition;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// Wires the OpenTelemetry instruments to our Prometheus exposition and serves it. This file
/// and <see cref="TcpState.Exposition"/> are the seam the official
/// OpenTelemetry.Exporter.Prometheus.AspNetCore package would replace.
/// </summary>
public static class MetricsEndpoint
{
    public static void AddServices(IServiceCollection services, ExporterOptions options)
    {
        services.AddSingleton<OpenTelemetryMetricCollector>();
        services.AddSingleton(provider =>
        {
            // The instruments must exist before the provider collects them.
            provider.GetRequiredService<TcpStateMetrics>();
            return Sdk.CreateMeterProviderBuilder()
                .AddMeter(TcpStateMetrics.MeterName)
                .AddPrometheusExposition(provider.GetRequiredService<OpenTelemetryMetricCollector>())
                // Our own cap (port="other" folding) bounds the per-port families; the SDK's limit
                // must not cut in first. A slot is freed only by the first collection that no
                // longer sees its series, so it must hold two scrapes' worth.
                .AddCardinalityLimit("tcpstate.*", Math.Max(2000, (2 * options.MaxPortSeries) + 100))
                .Build();
        });
        services.AddSingleton(provider =>
        {
            provider.GetRequiredService<MeterProvider>();
            return new PrometheusScrapeHandler(
                provider.GetRequiredService<OpenTelemetryMetricCollector>(),
                new PrometheusScrapeHandlerOptions(),
                provider.GetRequiredService<TimeProvider>());
        });
    }

    public static void Map(WebApplication app, string path)
    {
        // Build the provider at start-up rather than on the first scrape.
        app.Services.GetRequiredService<PrometheusScrapeHandler>();
        app.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], ServeAsync);
    }

    private static async Task ServeAsync(HttpContext context, PrometheusScrapeHandler handler)
    {
        PrometheusScrapeResponse response;
        try
        {
            response = await handler.ScrapeAsync(context.Request.Headers.Accept.ToString(), context.Request.Headers.AcceptEncoding.ToString(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"metrics collection failed: {e.Message}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = response.ContentType;
        context.Response.Headers.Vary = "Accept, Accept-Encoding";
        if (response.ContentEncoding is not null)
        {
            context.Response.Headers.ContentEncoding = response.ContentEncoding;
        }

        context.Response.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
