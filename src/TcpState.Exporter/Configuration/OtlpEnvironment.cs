using System.Globalization;

namespace TcpState.Exporter.Configuration;

/// <summary>
/// Validates the <c>OTEL_*</c> variables that configure the OTLP push (<c>--otlp.enabled</c>). The
/// OpenTelemetry SDK reads most of them itself but, given a bad value, only writes an EventSource
/// event nobody sees and falls back to its default (e.g. gRPC to localhost:4317): checking them
/// here lets a typo stop start-up with a message, like every other setting.
/// </summary>
public static class OtlpEnvironment
{
    public const int DefaultExportIntervalMilliseconds = 60_000;
    public const int DefaultExportTimeoutMilliseconds = 30_000;
    public const int MinimumExportIntervalMilliseconds = 100;

    /// <summary>Every variable the push honours, for the documentation and the tests.</summary>
    public static IReadOnlyList<string> Honoured { get; } =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
        "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
        "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT",
        "OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY",
        "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
    ];

    /// <summary>
    /// Reads and checks the variables. Adds one message per bad variable to <paramref name="problems"/>
    /// and returns null when any is bad.
    /// </summary>
    public static OtlpSettings? Parse(Func<string, string?> variable, List<string> problems)
    {
        var before = problems.Count;
        string? Read(string name) => variable(name) is { } value && value.Trim().Length > 0 ? value.Trim() : null;
        void Fail(string name, string message) =>
            problems.Add($"invalid {name} \"{variable(name)}\" (read because --otlp.enabled is true): {message}");

        Uri? Endpoint(string name)
        {
            if (Read(name) is not { } text) return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) return uri;
            Fail(name, "must be an absolute http:// or https:// URL, e.g. http://collector:4318");
            return null;
        }

        string? Choice(string name, params string[] allowed)
        {
            if (Read(name) is not { } text) return null;
            if (allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase)) is { } match) return match;
            Fail(name, $"must be {string.Join(" or ", allowed)}");
            return null;
        }

        int? Milliseconds(string name, int minimum)
        {
            if (Read(name) is not { } text) return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum) return value;
            Fail(name, $"must be a whole number of milliseconds, at least {minimum}");
            return null;
        }

        string? Headers(string name)
        {
            if (Read(name) is not { } text) return null;
            foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || item[..equals].Trim().Length == 0)
                {
                    Fail(name, $"\"{item}\" is not key=value; give a comma-separated list such as api-key=secret,tenant=a (values URL-encoded)");
                    return null;
                }
            }

            return text;
        }

        string? PemFile(string name)
        {
            if (Read(name) is not { } path) return null;
            if (File.Exists(path)) return path;
            Fail(name, "must name an existing PEM file");
            return null;
        }

        // The generic variables are applied by the SDK; they are read here only to be checked.
        Endpoint("OTEL_EXPORTER_OTLP_ENDPOINT");
        Choice("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "http/protobuf");
        Headers("OTEL_EXPORTER_OTLP_HEADERS");
        Milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", 1);
        Choice("OTEL_EXPORTER_OTLP_COMPRESSION", "none", "gzip");
        PemFile("OTEL_EXPORTER_OTLP_CERTIFICATE");
        // The package uses a client certificate only with its key; one without the other would
        // silently connect without one.
        if ((PemFile("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE") is null) != (PemFile("OTEL_EXPORTER_OTLP_CLIENT_KEY") is null)
            && problems.Count == before)
        {
            Fail(Read("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE") is null ? "OTEL_EXPORTER_OTLP_CLIENT_KEY" : "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY must be set together");
        }

        var settings = new OtlpSettings
        {
            MetricsEndpoint = Endpoint("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
            MetricsProtocol = Choice("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc", "http/protobuf"),
            MetricsHeaders = Headers("OTEL_EXPORTER_OTLP_METRICS_HEADERS"),
            MetricsTimeoutMilliseconds = Milliseconds("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", 1),
            MetricsCompression = Choice("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "none", "gzip"),
            ExportIntervalMilliseconds = Milliseconds("OTEL_METRIC_EXPORT_INTERVAL", MinimumExportIntervalMilliseconds) ?? DefaultExportIntervalMilliseconds,
            ExportTimeoutMilliseconds = Milliseconds("OTEL_METRIC_EXPORT_TIMEOUT", 1) ?? DefaultExportTimeoutMilliseconds,
        };

        // Sums are always pushed cumulative, as Prometheus has them; a user asking for delta must
        // hear that it is not done rather than get cumulative silently.
        if (Read("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") is { } temporality
            && !string.Equals(temporality, "cumulative", StringComparison.OrdinalIgnoreCase))
        {
            Fail("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "not supported: tcpstate-exporter always pushes sums with cumulative temporality; unset it or set cumulative");
        }

        return problems.Count == before ? settings : null;
    }
}
