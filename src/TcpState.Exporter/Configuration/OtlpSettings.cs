namespace TcpState.Exporter.Configuration;

/// <summary>
/// The OTLP push, read from the standard <c>OTEL_*</c> environment variables and validated at start-up.
/// The OpenTelemetry exporter reads the generic <c>OTEL_EXPORTER_OTLP_*</c> variables and
/// <c>OTEL_METRIC_EXPORT_*</c> itself; the metrics-specific overrides held here are the ones its
/// <c>OtlpExporterOptions</c> ignores (measured with 1.20.1), so the exporter applies them on top.
/// </summary>
public sealed record OtlpSettings
{
    /// <summary>The full URL from <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>, used as given (no <c>/v1/metrics</c> appended), or null.</summary>
    public Uri? MetricsEndpoint { get; init; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c> from <c>OTEL_EXPORTER_OTLP_METRICS_PROTOCOL</c>, or null.</summary>
    public string? MetricsProtocol { get; init; }

    /// <summary>The header list from <c>OTEL_EXPORTER_OTLP_METRICS_HEADERS</c>, or null.</summary>
    public string? MetricsHeaders { get; init; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_METRICS_TIMEOUT</c>, or null.</summary>
    public int? MetricsTimeoutMilliseconds { get; init; }

    /// <summary><c>none</c> or <c>gzip</c> from <c>OTEL_EXPORTER_OTLP_METRICS_COMPRESSION</c>, or null.</summary>
    public string? MetricsCompression { get; init; }

    /// <summary>Time between pushes: <c>OTEL_METRIC_EXPORT_INTERVAL</c>, 60 s by default as in the specification.</summary>
    public int ExportIntervalMilliseconds { get; init; } = OtlpEnvironment.DefaultExportIntervalMilliseconds;

    /// <summary>How long one collection and push may take: <c>OTEL_METRIC_EXPORT_TIMEOUT</c>, 30 s by default.</summary>
    public int ExportTimeoutMilliseconds { get; init; } = OtlpEnvironment.DefaultExportTimeoutMilliseconds;
}
