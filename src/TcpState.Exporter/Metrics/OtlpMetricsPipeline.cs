using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using TcpState.Exporter.Configuration;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// Pushes the meters' instruments over OTLP (<c>--otlp.enabled</c>), beside the Prometheus
/// exposition, through two meter providers of its own: one for the observable gauges, one for
/// everything else (the counters), each with a <see cref="PinnedPeriodicReader"/> and an
/// <see cref="OtlpPushExporter"/>. Every push reads one sample for all its instruments, as a scrape does.
/// </summary>
/// <remarks>
/// <para>
/// Not a second reader on the Prometheus exposition's provider: a collection by any reader of a
/// provider runs the observable callbacks for all its readers (measured with OpenTelemetry 1.20.1),
/// so a series observed by a push but gone from the next sample would reappear once in the next
/// scrape with its old value, breaking <c>sum by (state) (tcpstate_port_sockets) ==
/// tcpstate_sockets</c> on /metrics. Separate providers run the callbacks separately.
/// </para>
/// <para>
/// Sums are pushed with cumulative temporality, as Prometheus has them. Gauges carry no temporality
/// in OTLP, but the SDK's bookkeeping for them depends on the reader's: under cumulative it never
/// frees the slot of an attribute set that stopped being reported (measured with 1.20.1), so every
/// port group, process and destination seen over the daemon's lifetime would count against the
/// cardinality limit and, after enough churn, new series would be pushed as
/// <c>otel.metric.overflow=true</c>. The gauge provider therefore uses delta, under which a slot is
/// freed by the first collection that does not see it; an observable gauge is pushed the same either
/// way (its last observed values, only the attribute sets its callback reported). The counters,
/// whose attribute sets are fixed, stay cumulative.
/// </para>
/// </remarks>
public sealed class OtlpMetricsPipeline : IDisposable
{
    public const string DefaultServiceName = "tcpstate-exporter";

    /// <summary>Longest wait on shutdown for the last push, so an unanswering collector cannot hold SIGTERM.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly (MeterProvider Provider, PinnedPeriodicReader Reader) _gauges;
    private readonly (MeterProvider Provider, PinnedPeriodicReader Reader) _sums;
    private readonly OtlpExporterEventLog _events;
    private bool _disposed;

    private OtlpMetricsPipeline((MeterProvider, PinnedPeriodicReader) gauges, (MeterProvider, PinnedPeriodicReader) sums, OtlpExporterEventLog events, string destination, string protocol)
    {
        _gauges = gauges;
        _sums = sums;
        _events = events;
        Destination = destination;
        Protocol = protocol;
    }

    /// <summary>The URL the metrics are sent to (for gRPC, the collector's base URL).</summary>
    public string Destination { get; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    public string Protocol { get; }

    /// <summary>Builds the providers; the first push happens one export interval later.</summary>
    /// <param name="settings">The validated OTLP settings.</param>
    /// <param name="meterNames">The meters to push.</param>
    /// <param name="cardinalityLimit">The most attribute sets per instrument in one collection, as for the exposition.</param>
    /// <param name="serviceVersion">service.version of the resource.</param>
    /// <param name="statistics">Where export outcomes are counted.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="pin">Wraps each collection so that all its callbacks read one sample (<see cref="TcpStateMetrics.PinSnapshot"/>); none by default.</param>
    public static OtlpMetricsPipeline Start(OtlpSettings settings, IReadOnlyList<string> meterNames, int cardinalityLimit, string serviceVersion, OtlpExportStatistics statistics, ILogger logger, Func<IDisposable>? pin = null)
    {
        pin ??= () => NoPin.Instance;
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinalityLimit, 1);
        var exporterOptions = CreateExporterOptions(settings);
        var protocol = exporterOptions.Protocol == OtlpExportProtocol.Grpc ? "grpc" : "http/protobuf";
        var destination = DescribeDestination(exporterOptions, settings);
        var events = new OtlpExporterEventLog(logger, statistics);
        (MeterProvider Provider, PinnedPeriodicReader Reader)? gauges = null;
        try
        {
            gauges = Build(settings, meterNames, cardinalityLimit, serviceVersion,
                new OtlpPushExporter(exporterOptions, "gauges", destination, statistics, logger), forGauges: true, pin);
            var sums = Build(settings, meterNames, cardinalityLimit, serviceVersion,
                new OtlpPushExporter(exporterOptions, "counters", destination, statistics, logger), forGauges: false, pin);
            var pipeline = new OtlpMetricsPipeline(gauges.Value, sums, events, destination, protocol);
            gauges.Value.Reader.Start();
            sums.Reader.Start();
            OtlpLog.Pushing(logger, protocol, destination, settings.ExportIntervalMilliseconds,
                gauges.Value.Provider.GetResource().Attributes.FirstOrDefault(a => a.Key == "service.name").Value?.ToString() ?? DefaultServiceName);
            return pipeline;
        }
        catch
        {
            gauges?.Provider.Dispose();
            events.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The exporter options: the package's constructor reads the generic <c>OTEL_EXPORTER_OTLP_*</c>
    /// variables; the metrics-specific ones, which it ignores, override them as the specification says.
    /// </summary>
    internal static OtlpExporterOptions CreateExporterOptions(OtlpSettings settings)
    {
        var options = new OtlpExporterOptions();
        if (settings.MetricsProtocol is { } protocol)
        {
            options.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }

        if (settings.MetricsEndpoint is { } endpoint)
        {
            // Set in code, the endpoint is used as given: the specification's rule for the signal-specific variable.
            options.Endpoint = endpoint;
        }

        if (settings.MetricsHeaders is { } headers) options.Headers = headers;
        if (settings.MetricsTimeoutMilliseconds is { } timeout) options.TimeoutMilliseconds = timeout;
        if (settings.MetricsCompression is { } compression)
        {
            options.Compression = compression == "gzip" ? OtlpExportCompression.GZip : OtlpExportCompression.None;
        }

        return options;
    }

    private static string DescribeDestination(OtlpExporterOptions options, OtlpSettings settings)
    {
        var endpoint = options.Endpoint.ToString();
        // The package appends the signal path to an endpoint that came from OTEL_EXPORTER_OTLP_ENDPOINT
        // (or its default) for http/protobuf; gRPC posts to the service path under the base URL.
        if (options.Protocol == OtlpExportProtocol.HttpProtobuf && settings.MetricsEndpoint is null
            && !options.Endpoint.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal))
        {
            endpoint = endpoint.TrimEnd('/') + "/v1/metrics";
        }

        return endpoint;
    }

    private static (MeterProvider Provider, PinnedPeriodicReader Reader) Build(OtlpSettings settings, IReadOnlyList<string> meterNames, int cardinalityLimit, string serviceVersion, OtlpPushExporter exporter, bool forGauges, Func<IDisposable> pin)
    {
        var reader = new PinnedPeriodicReader(exporter, settings.ExportIntervalMilliseconds, settings.ExportTimeoutMilliseconds, pin,
            forGauges ? MetricReaderTemporalityPreference.Delta : MetricReaderTemporalityPreference.Cumulative);
        var kept = new MetricStreamConfiguration { CardinalityLimit = cardinalityLimit };
        var provider = Sdk.CreateMeterProviderBuilder()
            // The environment, as the SDK would read it (for OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES),
            // except OTEL_SDK_DISABLED: --otlp.enabled is the switch, and a fleet-wide OTEL_SDK_DISABLED=true
            // must not silently turn an explicitly enabled push into one that sends nothing.
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddEnvironmentVariables()
                .AddInMemoryCollection([new KeyValuePair<string, string?>("OTEL_SDK_DISABLED", "false")])
                .Build()))
            .AddMeter([.. meterNames])
            // One view for every instrument: each matching view makes a stream of its own.
            .AddView(instrument => IsObservableGauge(instrument) == forGauges ? kept : MetricStreamConfiguration.Drop)
            .ConfigureResource(resource => resource
                .Clear()
                // host.name and service.instance.id tell the hosts apart once many push to one
                // collector (the job of Prometheus's instance label). Added before the environment
                // detector, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override them.
                .AddService(DefaultServiceName, serviceVersion: serviceVersion, autoGenerateServiceInstanceId: false, serviceInstanceId: Environment.MachineName)
                .AddAttributes([new KeyValuePair<string, object>("host.name", Environment.MachineName)])
                .AddTelemetrySdk()
                .AddEnvironmentVariableDetector())
            .AddReader(reader.Reader)
            .Build();
        return (provider, reader);
    }

    private sealed class NoPin : IDisposable
    {
        public static readonly NoPin Instance = new();

        public void Dispose()
        {
        }
    }

    private static bool IsObservableGauge(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ObservableGauge<>);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Both providers push their last values at once; each gets the same bounded wait.
        var timeout = (int)ShutdownTimeout.TotalMilliseconds;
        Task.WaitAll(Task.Run(() => _gauges.Reader.Shutdown(_gauges.Provider, timeout)), Task.Run(() => _sums.Reader.Shutdown(_sums.Provider, timeout)));
        _gauges.Provider.Dispose();
        _sums.Provider.Dispose();
        _events.Dispose();
    }
}
