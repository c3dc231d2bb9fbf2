using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// Turns the OTLP exporter's own diagnostics, which it writes only to an EventSource nobody reads
/// by default, into log lines: each kind of problem (event name) once per outage, never once per
/// attempt, and without the stack traces its exception payloads carry.
/// </summary>
internal sealed class OtlpExporterEventLog : EventListener
{
    /// <summary>The EventSource of OpenTelemetry.Exporter.OpenTelemetryProtocol (1.20.1).</summary>
    public const string SourceName = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    private const int MaximumMessageLength = 500;

    // Set after the base constructor, which may already deliver events to OnEventWritten.
    private readonly ILogger? _logger;
    private readonly OtlpExportStatistics? _statistics;

    public OtlpExporterEventLog(ILogger logger, OtlpExportStatistics statistics)
    {
        _statistics = statistics;
        _logger = logger;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Warning and above: the exporter's Informational events include one per successful export.
        if (eventSource.Name == SourceName) EnableEvents(eventSource, EventLevel.Warning);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_logger is not { } logger || _statistics is not { } statistics) return;
        if (eventData.EventSource.Name != SourceName || eventData.Level > EventLevel.Warning) return;
        var kind = eventData.EventName ?? $"event {eventData.EventId}";
        if (!statistics.FirstOfKind(kind)) return;
        OtlpLog.ExporterProblem(logger, kind, Format(eventData));
    }

    private static string Format(EventWrittenEventArgs eventData)
    {
        // Payloads holding exceptions are their full ToString(): keep the first line (type and message).
        var payload = eventData.Payload?.Select(value => (object?)FirstLine(Convert.ToString(value, CultureInfo.InvariantCulture))).ToArray() ?? [];
        string text;
        try
        {
            text = eventData.Message is { Length: > 0 } message ? string.Format(CultureInfo.InvariantCulture, message, payload) : string.Join("; ", payload);
        }
        catch (FormatException)
        {
            text = string.Join("; ", payload);
        }

        return text.Length <= MaximumMessageLength ? text : text[..MaximumMessageLength] + "...";
    }

    private static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }
}
