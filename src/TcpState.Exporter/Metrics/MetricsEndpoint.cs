using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;
using TcpState.Exposition;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// Wires the OpenTelemetry instruments to our Prometheus exposition and serves it. This file
/// and <see cref="TcpState.Exposition"/> are the seam the official
/// OpenTelemetry.Exporter.Prometheus.AspNetCore package would replace. With <c>--otlp.enabled</c> it
/// also starts the OTLP push (<see cref="OtlpMetricsPipeline"/>), which has providers of its own.
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
            provider.GetService<OtlpExportMetrics>();
            return Sdk.CreateMeterProviderBuilder()
                // Without a configuration of its own the SDK reads the environment, where
                // OTEL_SDK_DISABLED=true (often set fleet-wide to silence OpenTelemetry SDKs) would
                // leave /metrics failing. The exposition needs no OTEL_* variable.
                .ConfigureServices(s => s.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()))
                .AddMeter(TcpStateMetrics.MeterName)
                .AddPrometheusExposition(provider.GetRequiredService<OpenTelemetryMetricCollector>())
                .AddCardinalityLimit("tcpstate.*", CardinalityLimit(options))
                .Build();
        });
        if (options.Otlp is { } otlp)
        {
            services.AddSingleton<OtlpExportStatistics>();
            services.AddSingleton(provider => new OtlpExportMetrics(provider.GetRequiredService<OtlpExportStatistics>()));
            services.AddSingleton(provider =>
            {
                // Resolved first, so the container disposes them after the pipeline's last push.
                provider.GetRequiredService<TcpStateMetrics>();
                provider.GetRequiredService<OtlpExportMetrics>();
                return OtlpMetricsPipeline.Start(
                    otlp,
                    [TcpStateMetrics.MeterName],
                    CardinalityLimit(options),
                    TcpStateMetrics.Version,
                    provider.GetRequiredService<OtlpExportStatistics>(),
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger("TcpState.Exporter.Otlp"),
                    provider.GetRequiredService<TcpStateMetrics>().PinSnapshot);
            });
        }
        services.AddSingleton(provider =>
        {
            provider.GetRequiredService<MeterProvider>();
            var store = provider.GetRequiredService<SnapshotStore>();
            return new PrometheusScrapeHandler(
                new PinnedSnapshotSource(provider.GetRequiredService<OpenTelemetryMetricCollector>(), provider.GetRequiredService<TcpStateMetrics>()),
                new PrometheusScrapeHandlerOptions { CacheDuration = ScrapeCacheDuration, DataVersion = () => store.Latest },
                provider.GetRequiredService<TimeProvider>());
        });
    }

    /// <summary>
    /// How long one collection serves scrapes, unless a new sample is published first (then the
    /// next scrape collects at once). Longer than the exposition's 300 ms default because the
    /// socket data changes only with a sample; what else changes (the failure and retry counters,
    /// tcpstate_http_auth_failures_total) is at most this old.
    /// </summary>
    public static readonly TimeSpan ScrapeCacheDuration = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most attribute sets per instrument. Our own cap (port="other" folding) bounds the per-port
    /// families; the SDK's limit must not cut in first. Under delta temporality a slot is freed only by
    /// the first collection that no longer sees its series, so it must hold two collections' worth.
    /// </summary>
    public static int CardinalityLimit(ExporterOptions options)
    {
        // With --netns.enabled every namespace sampled has its own cap, and its own small families
        // (12 states, the busiest destinations): 100 + top destinations a view covers them.
        var views = options.NetnsEnabled ? 1 + options.NetnsMax : 1;
        var series = options.MaxPortSeries + (options.NetnsEnabled ? options.NetnsMax * options.NetnsMaxPortSeries : 0);
        return Math.Max(2000, (2 * series) + (views * (100 + options.TopDestinations)));
    }

    public static void Map(WebApplication app, string path)
    {
        // Build the provider (and start the OTLP push) at start-up rather than on the first scrape.
        app.Services.GetRequiredService<PrometheusScrapeHandler>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TcpState.Exporter.Otlp");
        if (bool.TryParse(Environment.GetEnvironmentVariable("OTEL_SDK_DISABLED"), out var disabled) && disabled)
        {
            OtlpLog.SdkDisabledIgnored(logger);
        }

        if (app.Services.GetService<OtlpMetricsPipeline>() is null)
        {
            foreach (var variable in (string[])["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"])
            {
                // A collector address without the switch is most likely a forgotten --otlp.enabled.
                if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable))) OtlpLog.OtlpVariableIgnored(logger, variable);
            }
        }
        app.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], ServeAsync);
    }

    private static async Task ServeAsync(HttpContext context, PrometheusScrapeHandler handler)
    {
        PrometheusScrapeResponse response;
        try
        {
            // Disposed below, once sent: its body is pooled memory the next collection reuses.
            response = await handler.ScrapeAsync(context.Request.Headers.Accept.ToString(), context.Request.Headers.AcceptEncoding.ToString(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"metrics collection failed: {e.Message}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using (response)
        {
            context.Response.ContentType = response.ContentType;
            context.Response.Headers.Vary = "Accept, Accept-Encoding";
            if (response.ContentEncoding is not null)
            {
                context.Response.Headers.ContentEncoding = response.ContentEncoding;
            }

            context.Response.ContentLength = response.Body.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                // Headers first: data written before the response starts is held in Kestrel's
                // own blocks and copied again behind the headers (perf: a fifth of the scrape's
                // CPU for a ~150 KB body went to renting and copying those blocks).
                await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);

                // Kestrel copies the segments into its output pipe; one flush sends them.
                var writer = context.Response.BodyWriter;
                foreach (var segment in response.Body)
                {
                    // One span per segment: a size hint over Kestrel's 4 KiB blocks gets an array
                    // as big as the segment from the shared pool (sized by SharedArrayPoolCapacity),
                    // instead of a lock, a block and a copy per 4 KiB.
                    segment.Span.CopyTo(writer.GetSpan(segment.Length));
                    writer.Advance(segment.Length);
                }

                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
