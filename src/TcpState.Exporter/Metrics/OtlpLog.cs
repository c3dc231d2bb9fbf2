using Microsoft.Extensions.Logging;

namespace TcpState.Exporter.Metrics;

/// <summary>The OTLP push's log messages, with stable event ids an operator can filter on.</summary>
internal static partial class OtlpLog
{
    [LoggerMessage(1200, LogLevel.Information, "Pushing metrics over OTLP ({Protocol}) to {Endpoint} every {Interval} ms, as service.name={ServiceName}")]
    public static partial void Pushing(ILogger logger, string protocol, string endpoint, int interval, string serviceName);

    [LoggerMessage(1201, LogLevel.Warning, "OTLP push of the {Pipeline} to {Endpoint} failed; its data is dropped and the next push sends current values. Failed pushes are counted in tcpstate_otlp_export_failures_total; this is logged once until pushes succeed again.")]
    public static partial void PushFailing(ILogger logger, string pipeline, string endpoint);

    [LoggerMessage(1202, LogLevel.Information, "OTLP push of the {Pipeline} to {Endpoint} works again after {Failures} failed pushes")]
    public static partial void PushRecovered(ILogger logger, string pipeline, string endpoint, int failures);

    [LoggerMessage(1203, LogLevel.Warning, "OTLP exporter reports {Kind}: {Message} (logged once per kind until pushes succeed again)")]
    public static partial void ExporterProblem(ILogger logger, string kind, string message);

    [LoggerMessage(1204, LogLevel.Error, "OTLP push: metric {Metric} reached its cardinality limit; further attribute sets are aggregated into otel.metric.overflow=true in the push (not on /metrics). Please report this as a bug.")]
    public static partial void CardinalityOverflow(ILogger logger, string metric);

    [LoggerMessage(1205, LogLevel.Information, "{Variable} is set but --otlp.enabled is false: metrics are not pushed over OTLP")]
    public static partial void OtlpVariableIgnored(ILogger logger, string variable);

    [LoggerMessage(1206, LogLevel.Warning, "OTEL_SDK_DISABLED=true is ignored: /metrics is always served, and --otlp.enabled alone switches the OTLP push")]
    public static partial void SdkDisabledIgnored(ILogger logger);
}
