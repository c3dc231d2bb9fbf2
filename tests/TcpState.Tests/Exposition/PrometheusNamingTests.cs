using TcpState.Exposition;
using Xunit;

namespace TcpState.Tests.Exposition;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("tcpstate.sample.duration", "s", MetricFamilyType.Histogram, "tcpstate_sample_duration_seconds")]
    [InlineData("tcpstate.bytes.received", "By", MetricFamilyType.Counter, "tcpstate_bytes_received_bytes")]
    [InlineData("tcpstate.rtt", "ms", MetricFamilyType.Gauge, "tcpstate_rtt_milliseconds")]
    [InlineData("tcpstate.rtt", "us", MetricFamilyType.Gauge, "tcpstate_rtt_microseconds")]
    [InlineData("tcpstate.queue.fill", "1", MetricFamilyType.Gauge, "tcpstate_queue_fill_ratio")]
    [InlineData("tcpstate.fill_ratio", "1", MetricFamilyType.Gauge, "tcpstate_fill_ratio")]
    [InlineData("tcpstate.events", "1", MetricFamilyType.Counter, "tcpstate_events")]
    [InlineData("tcpstate.sockets", "{socket}", MetricFamilyType.Gauge, "tcpstate_sockets")]
    [InlineData("tcpstate.retransmits", "{segment}/s", MetricFamilyType.Gauge, "tcpstate_retransmits_per_second")]
    [InlineData("tcpstate.throughput", "By/s", MetricFamilyType.Gauge, "tcpstate_throughput_bytes_per_second")]
    [InlineData("tcpstate.uptime_seconds", "s", MetricFamilyType.Gauge, "tcpstate_uptime_seconds")]
    [InlineData("tcpstate.sample.seconds_total", "s", MetricFamilyType.Counter, "tcpstate_sample_seconds")]
    [InlineData("tcpstate.requests_total", "{request}", MetricFamilyType.Counter, "tcpstate_requests")]
    [InlineData("tcpstate.requests_total", null, MetricFamilyType.Gauge, "tcpstate_requests_total")]
    [InlineData("tcpstate.temperature", "Cel", MetricFamilyType.Gauge, "tcpstate_temperature_celsius")]
    [InlineData("tcpstate.odd", "weird unit!", MetricFamilyType.Gauge, "tcpstate_odd_weird_unit")]
    [InlineData("http.server.request-duration", "", MetricFamilyType.Histogram, "http_server_request_duration")]
    public void GetMetricFamilyName_InstrumentNameAndUnit_FollowsOpenTelemetryPrometheusRules(
        string instrumentName, string? unit, MetricFamilyType type, string expected) =>
        Assert.Equal(expected, PrometheusNaming.GetMetricFamilyName(instrumentName, unit, type));

    [Theory]
    [InlineData("s", MetricFamilyType.Gauge, "seconds")]
    [InlineData("By", MetricFamilyType.Counter, "bytes")]
    [InlineData("1", MetricFamilyType.Gauge, "ratio")]
    [InlineData("1", MetricFamilyType.Histogram, "")]
    [InlineData("{socket}", MetricFamilyType.Gauge, "")]
    [InlineData(null, MetricFamilyType.Gauge, "")]
    public void GetUnit_UcumUnit_ReturnsPrometheusUnitWord(string? unit, MetricFamilyType type, string expected) =>
        Assert.Equal(expected, PrometheusNaming.GetUnit(unit, type));

    [Theory]
    [InlineData("tcpstate.sample.duration", "tcpstate_sample_duration")]
    [InlineData("already_valid:name", "already_valid:name")]
    [InlineData("1st.metric", "_1st_metric")]
    [InlineData("a..b--c", "a_b_c")]
    [InlineData("a__b", "a_b")]
    [InlineData("caf\u00e9", "caf_")]
    [InlineData("", "_")]
    public void SanitizeMetricName_InvalidCharacters_BecomeSingleUnderscores(string name, string expected) =>
        Assert.Equal(expected, PrometheusNaming.SanitizeMetricName(name));

    [Theory]
    [InlineData("otel.metric.overflow", "otel_metric_overflow")]
    [InlineData("net.peer.port", "net_peer_port")]
    [InlineData("valid_name", "valid_name")]
    [InlineData("9lives", "_9lives")]
    [InlineData("with:colon", "with_colon")]
    [InlineData("caf\u00e9", "caf_")]
    [InlineData("", "_")]
    public void SanitizeLabelName_InvalidCharacters_BecomeUnderscores(string name, string expected) =>
        Assert.Equal(expected, PrometheusNaming.SanitizeLabelName(name));
}
