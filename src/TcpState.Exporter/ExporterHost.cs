using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Metrics;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter;

/// <summary>Builds and runs the daemon: the sampling service and Kestrel serving /metrics.</summary>
public static class ExporterHost
{
    public static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
        {
            // Under systemd the journal stamps and classifies lines itself: one line per entry
            // with a <priority> prefix, no timestamp.
            logging.AddSystemdConsole(console => console.UseUtcTimestamp = true);
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }
        // Kestrel and hosting chatter is not what an operator of this daemon needs at Information.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
    }

    /// <summary>Builds the web application without starting it.</summary>
    public static WebApplication Build(ExporterOptions options, IConfiguration configuration, Web.WebConfig? web = null, TimeProvider? time = null)
    {
        web ??= Web.WebConfig.None;
        var clock = time ?? TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        // A bounded stop: a sample stuck in the kernel must not hold SIGTERM hostage.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A metrics endpoint answers small GETs: anything larger, slower or more numerous
            // than a scraper needs is refused, so clients cannot hold the daemon.
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = options.MaxConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestBodySize = 0;
            limits.MaxRequestLineSize = 4 * 1024;
            limits.MaxRequestHeadersTotalSize = 16 * 1024;
            limits.MaxRequestHeaderCount = 50;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(65);
            var endpoint = options.ListenAddress;
            Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure = listen => { };
            if (web.Tls is { } tls)
            {
                var certificates = kestrel.ApplicationServices.GetRequiredService<Web.CertificateReloader>();
                configure = listen => listen.UseHttps(https =>
                {
                    https.SslProtocols = tls.Protocols;
                    https.ServerCertificateSelector = (_, _) => certificates.Current;
                });
            }

            if (endpoint.Address is null)
            {
                kestrel.ListenAnyIP(endpoint.Port, configure);
            }
            else
            {
                kestrel.Listen(endpoint.Address, endpoint.Port, configure);
            }
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(clock);
        services.AddSingleton<Web.AuthenticationStatistics>();
        if (web.Tls is { } tlsSettings)
        {
            services.AddSingleton(provider => new Web.CertificateReloader(tlsSettings, clock, provider.GetRequiredService<ILoggerFactory>().CreateLogger("TcpState.Exporter.Web")));
        }
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<SamplerStatistics>();
        services.AddSingleton(provider => SamplerFactory.CreateOwners(options, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => SamplerFactory.Create(
            options,
            provider.GetRequiredService<Kernel.Proc.ProcessSocketMap>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("TcpState.Exporter.Sampling"),
            provider.GetRequiredService<SamplerStatistics>().RecordRetry));
        services.AddSingleton(provider => new SamplingService(
            provider.GetRequiredService<SocketSampler>(),
            provider.GetRequiredService<SnapshotStore>(),
            provider.GetRequiredService<SamplerStatistics>(),
            options,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<SamplingService>>(),
            provider.GetRequiredService<Kernel.Proc.ProcessSocketMap>()));
        services.AddHostedService(provider => provider.GetRequiredService<SamplingService>());
        services.AddSingleton(provider => new TcpStateMetrics(
            provider.GetRequiredService<SnapshotStore>(),
            provider.GetRequiredService<SamplerStatistics>(),
            () => provider.GetRequiredService<SocketSampler>().Source.Name,
            options,
            provider.GetRequiredService<Web.AuthenticationStatistics>()));
        MetricsEndpoint.AddServices(services, options);
        services.AddSingleton<Systemd.ISystemdNotifier>(_ => Systemd.SystemdNotifier.FromEnvironment());
        services.AddHostedService(provider => new Systemd.SystemdIntegration(
            provider.GetRequiredService<Systemd.ISystemdNotifier>(),
            provider.GetRequiredService<SnapshotStore>(),
            provider.GetRequiredService<SamplerStatistics>(),
            options,
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<TimeProvider>(),
            Systemd.SystemdWatchdog.Timeout(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId)));

        var app = builder.Build();
        if (web.Users.Count > 0)
        {
            var authentication = new Web.BasicAuthentication(web.Users, app.Services.GetRequiredService<Web.AuthenticationStatistics>(), clock);
            app.Use(authentication.InvokeAsync);
        }

        app.Use(static (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        });
        MetricsEndpoint.Map(app, options.TelemetryPath);
        app.MapMethods("/", GetOrHead, StatusPage.StatusPageEndpoint.Create(options));
        app.MapMethods("/api/v1/snapshot", GetOrHead, (SnapshotStore store, SamplerStatistics statistics) => store.Latest is { } latest
            ? Results.Json(Api.SnapshotDocument.From(latest, statistics.SampleInterval), Api.SnapshotJsonContext.Default.SnapshotDocument)
            : Results.Text("no sample has succeeded yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapMethods("/healthz", GetOrHead, (SnapshotStore store, SamplerStatistics statistics, TimeProvider clock) =>
            Health.Check(store.Latest, statistics, options.SampleInterval, clock.GetUtcNow()));
        return app;
    }

    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    public static async Task<int> RunAsync(ExporterOptions options, IConfiguration configuration, Web.WebConfig web)
    {
        await using var app = Build(options, configuration, web);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TcpState.Exporter");
        if (Kernel.Proc.ProcessCapabilities.OfThisProcess().Uid == 0)
        {
            Log.RunningAsRoot(logger);
        }

        // Resolving the sampler opens the source now, so a refused netlink fails start-up here.
        app.Services.GetRequiredService<SocketSampler>();
        await app.StartAsync().ConfigureAwait(false);
        Log.Listening(logger, web.Tls is null ? "http" : "https", options.ListenAddress.ToString(), options.TelemetryPath, web.Users.Count > 0 ? "with basic authentication" : "without authentication");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
