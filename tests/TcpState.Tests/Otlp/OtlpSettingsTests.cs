using Microsoft.Extensions.Configuration;
using TcpState.Exporter.Configuration;

namespace TcpState.Tests.Otlp;

/// <summary>--otlp.enabled and the OTEL_* variables it reads, parsed without touching the test host's environment.</summary>
public sealed class OtlpSettingsTests
{
    [Fact]
    public void Parse_FlagNotSet_IgnoresEveryOtelVariable()
    {
        var options = Parse([], ("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"));

        Assert.NotNull(options);
        Assert.Null(options.Otlp);
    }

    [Fact]
    public void Parse_EnabledWithNothingSet_UsesTheSpecificationDefaults()
    {
        var options = Parse([("Otlp:Enabled", "true")]);

        Assert.NotNull(options?.Otlp);
        Assert.Equal(60_000, options.Otlp.ExportIntervalMilliseconds);
        Assert.Equal(30_000, options.Otlp.ExportTimeoutMilliseconds);
        Assert.Null(options.Otlp.MetricsEndpoint);
        Assert.Null(options.Otlp.MetricsProtocol);
    }

    [Fact]
    public void Parse_EnabledWithEveryVariable_KeepsTheMetricsSpecificOnes()
    {
        var options = Parse([("Otlp:Enabled", "TRUE")],
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=1"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "5000"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "none"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector.example:4318/v1/metrics"),
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "HTTP/PROTOBUF"),
            ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "api-key=secret, tenant=a%20b"),
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Cumulative"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
            ("OTEL_METRIC_EXPORT_TIMEOUT", "10000"));

        var otlp = options?.Otlp;
        Assert.NotNull(otlp);
        Assert.Equal(new Uri("http://collector.example:4318/v1/metrics"), otlp.MetricsEndpoint);
        Assert.Equal("http/protobuf", otlp.MetricsProtocol);
        Assert.Equal("api-key=secret, tenant=a%20b", otlp.MetricsHeaders);
        Assert.Equal(2500, otlp.MetricsTimeoutMilliseconds);
        Assert.Equal("gzip", otlp.MetricsCompression);
        Assert.Equal(15_000, otlp.ExportIntervalMilliseconds);
        Assert.Equal(10_000, otlp.ExportTimeoutMilliseconds);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "/v1/metrics")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "api-key")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "a=1,=2")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "0")]
    [InlineData("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "deflate")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "99")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "-1")]
    [InlineData("OTEL_METRIC_EXPORT_TIMEOUT", "1m")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta")]
    [InlineData("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem")]
    [InlineData("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/nonexistent/client.pem")]
    public void Parse_EnabledWithABadVariable_FailsNamingIt(string variable, string value)
    {
        var options = ExporterOptions.Parse(Configuration([("Otlp:Enabled", "true")]), Environment((variable, value)), out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.StartsWith($"invalid {variable} \"{value}\"", error, StringComparison.Ordinal);
        Assert.Contains("--otlp.enabled", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ClientCertificateWithoutKey_Fails()
    {
        var certificate = Path.GetTempFileName();
        try
        {
            var options = ExporterOptions.Parse(Configuration([("Otlp:Enabled", "true")]), Environment(("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate)), out var errors);

            Assert.Null(options);
            Assert.Contains("must be set together", Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    [Fact]
    public void Parse_FlagNotABoolean_FailsNamingTheFlag()
    {
        var options = ExporterOptions.Parse(Configuration([("Otlp:Enabled", "yes")]), Environment(), out var errors);

        Assert.Null(options);
        Assert.Contains("invalid --otlp.enabled (config key Otlp:Enabled, environment TCPSTATE_OTLP__ENABLED): \"yes\": must be true or false", errors);
    }

    private static ExporterOptions? Parse((string Key, string Value)[] settings, params (string Name, string Value)[] environment)
    {
        var options = ExporterOptions.Parse(Configuration(settings), Environment(environment), out var errors);
        Assert.Empty(errors);
        return options;
    }

    private static IConfiguration Configuration((string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var table = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => table.GetValueOrDefault(name);
    }
}
