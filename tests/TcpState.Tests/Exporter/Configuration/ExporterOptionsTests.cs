using System.Net;
using Microsoft.Extensions.Configuration;
using TcpState.Exporter.Configuration;

namespace TcpState.Tests.Exporter.Configuration;

public class ExporterOptionsTests
{
    [Fact]
    public void Parse_NothingSet_UsesDocumentedDefaults()
    {
        var options = ExporterOptions.Parse(Config(), out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Null(options.ListenAddress.Address);
        Assert.Equal(9986, options.ListenAddress.Port);
        Assert.Equal("/metrics", options.TelemetryPath);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SampleInterval);
        Assert.Equal(2, options.SampleMaxCpuPercent);
        Assert.Equal(SampleSourceKind.Auto, options.Source);
        Assert.Equal(1000, options.MaxPortSeries);
        Assert.Equal("/proc", options.ProcRoot);
        Assert.Empty(options.ServerPorts);
    }

    [Fact]
    public void Parse_AllSet_ParsesEachValue()
    {
        var options = ExporterOptions.Parse(Config(
            ("Web:ListenAddress", "[::1]:9100"), ("Web:TelemetryPath", "/m"), ("Sample:Interval", "1m"),
            ("Sample:MaxCpuPercent", "0.5"), ("Sample:Source", "PROC"), ("Sample:ServerPorts", "80, 443"), ("Metrics:MaxPortSeries", "24"), ("Proc:Root", "/host/proc")), out _);

        Assert.NotNull(options);
        Assert.Equal(IPAddress.IPv6Loopback, options.ListenAddress.Address);
        Assert.Equal("/m", options.TelemetryPath);
        Assert.Equal(TimeSpan.FromMinutes(1), options.SampleInterval);
        Assert.Equal(0.5, options.SampleMaxCpuPercent);
        Assert.Equal(SampleSourceKind.Proc, options.Source);
        Assert.Equal([(ushort)80, (ushort)443], options.ServerPorts);
        Assert.Equal(24, options.MaxPortSeries);
        Assert.Equal("/host/proc", options.ProcRoot);
    }

    [Theory]
    [InlineData("Web:ListenAddress", "9986", "--web.listen-address")]
    [InlineData("Web:ListenAddress", "example.com:9986", "--web.listen-address")]
    [InlineData("Web:ListenAddress", ":70000", "--web.listen-address")]
    [InlineData("Web:TelemetryPath", "metrics", "--web.telemetry-path")]
    [InlineData("Web:TelemetryPath", "/", "--web.telemetry-path")]
    [InlineData("Web:TelemetryPath", "//evil.example/metrics", "--web.telemetry-path")]
    [InlineData("Sample:Interval", "10", "--sample.interval")]
    [InlineData("Sample:Interval", "50ms", "--sample.interval")]
    [InlineData("Sample:Interval", "2h", "--sample.interval")]
    [InlineData("Sample:MaxCpuPercent", "101", "--sample.max-cpu-percent")]
    [InlineData("Sample:MaxCpuPercent", "-1", "--sample.max-cpu-percent")]
    [InlineData("Sample:MaxCpuPercent", "2%", "--sample.max-cpu-percent")]
    [InlineData("Sample:MaxCpuPercent", "NaN", "--sample.max-cpu-percent")]
    [InlineData("Sample:Source", "ebpf", "--sample.source")]
    [InlineData("Sample:Source", "1", "--sample.source")]
    [InlineData("Sample:ServerPorts", "80,http", "--sample.server-ports")]
    [InlineData("Sample:ServerPorts", "0", "--sample.server-ports")]
    [InlineData("Metrics:MaxPortSeries", "23", "--metrics.max-port-series")]
    [InlineData("Metrics:MaxPortSeries", "lots", "--metrics.max-port-series")]
    [InlineData("Logging:LogLevel:Default", "Loud", "--log.level")]
    public void Parse_BadValue_FailsNamingTheSettingAndTheValue(string key, string value, string flag)
    {
        var options = ExporterOptions.Parse(Config((key, value)), out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.Contains(flag, error, StringComparison.Ordinal);
        Assert.Contains(key, error, StringComparison.Ordinal);
        Assert.Contains($"\"{value}\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("100", 100.0)]
    public void Parse_MaxCpuPercentAtTheEndsOfItsRange_IsAccepted(string value, double expected)
    {
        var options = ExporterOptions.Parse(Config(("Sample:MaxCpuPercent", value)), out var errors);

        Assert.Empty(errors);
        Assert.Equal(expected, options!.SampleMaxCpuPercent);
    }

    [Fact]
    public void EnvironmentVariable_MaxCpuPercent_IsTheDocumentedName() =>
        Assert.Equal("TCPSTATE_SAMPLE__MAXCPUPERCENT", Settings.MaxCpuPercent.EnvironmentVariable);

    [Fact]
    public void EnvironmentVariable_Setting_UsesPrefixAndDoubleUnderscore() =>
        Assert.Equal("TCPSTATE_SAMPLE__INTERVAL", Settings.SampleInterval.EnvironmentVariable);

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
