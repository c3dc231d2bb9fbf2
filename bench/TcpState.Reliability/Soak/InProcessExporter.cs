using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TcpState.Core;
using TcpState.Exporter;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability.Soak;

/// <summary>
/// The real daemon (ExporterHost: settings, sampler with process attribution and stuck-socket
/// tracking, OpenTelemetry instruments, exposition, Kestrel) built in this process, its sampler
/// opened inside a test namespace. Its own timer is set to an hour so that it never fires: the soak
/// calls <see cref="Sample"/> itself, as fast as it likes, and scrapes /metrics over HTTP on
/// 127.0.0.1 of the host namespace.
/// </summary>
internal sealed class InProcessExporter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SamplingService _sampling;
    private readonly SnapshotStore _store;
    private readonly HttpClient _http;
    private readonly System.Diagnostics.Stopwatch _sinceLastScrape = System.Diagnostics.Stopwatch.StartNew();

    private InProcessExporter(WebApplication app, int port)
    {
        _app = app;
        _sampling = app.Services.GetRequiredService<SamplingService>();
        _store = app.Services.GetRequiredService<SnapshotStore>();

        // One kept-alive connection for the whole run, so that the fd count does not depend on
        // when the client last opened one.
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromHours(1), PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public SocketSnapshot Latest => _store.Latest ?? throw new InvalidOperationException("no sample has succeeded");

    /// <summary>The daemon's process attribution, for its walk counters.</summary>
    public TcpState.Kernel.Proc.ProcessSocketMap Owners => _app.Services.GetRequiredService<TcpState.Kernel.Proc.ProcessSocketMap>();

    /// <param name="ns">The namespace to sample.</param>
    /// <param name="pidLabel">--process.pid-label: every process gets series of its own, so churned processes make new series.</param>
    public static async Task<InProcessExporter> StartAsync(NetworkNamespace ns, bool pidLabel)
    {
        var port = FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [Settings.ListenAddress.Key] = $"127.0.0.1:{port}",
            [Settings.SampleInterval.Key] = "1h",
            [Settings.LogLevel.Key] = "Warning",
            [Settings.PidLabel.Key] = pidLabel ? "true" : "false",
        }).Build();
        var options = ExporterOptions.Parse(configuration, out var errors)
            ?? throw new InvalidOperationException("settings refused: " + string.Join("; ", errors));
        var app = ExporterHost.Build(options, configuration);

        // The sampler opens its netlink socket when first resolved: on a thread inside the
        // namespace, so that it dumps that namespace's table ever after.
        ns.RunInside(() => app.Services.GetRequiredService<SocketSampler>());
        await app.StartAsync().ConfigureAwait(false);
        return new InProcessExporter(app, port);
    }

    /// <summary>The daemon's singletons that hold its state between samples and scrapes, as roots for <see cref="ObjectCensus"/>.</summary>
    public IEnumerable<object> StateRoots =>
    [
        _app.Services.GetRequiredService<SocketSampler>(),
        _app.Services.GetRequiredService<TcpState.Kernel.Proc.ProcessSocketMap>(),
        _store,
        _app.Services.GetRequiredService<TcpState.Exposition.PrometheusScrapeHandler>(),
        _app.Services.GetRequiredService<TcpState.Exposition.OpenTelemetryMetricCollector>(),
        _app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>(),
        _app.Services.GetRequiredService<TcpState.Exporter.Metrics.TcpStateMetrics>(),
    ];

    /// <summary>One sample through the daemon's own SamplingService (counted, published, never thrown).</summary>
    public void Sample() => _sampling.SampleOnce();

    /// <summary>
    /// Time since the last <see cref="Scrape"/> by anyone, for spacing the scrapes that check the
    /// latest sample (the daemon serves one collection until the next sample, 1 s at most).
    /// </summary>
    public TimeSpan SinceLastScrape => _sinceLastScrape.Elapsed;

    public byte[] Scrape()
    {
        _sinceLastScrape.Restart();
        using var response = _http.GetAsync("/metrics").GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"/metrics answered {(int)response.StatusCode}");
        }

        return response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
