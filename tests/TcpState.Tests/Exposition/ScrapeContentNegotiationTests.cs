using TcpState.Exposition;
using Xunit;

namespace TcpState.Tests.Exposition;

public sealed class ScrapeContentNegotiationTests
{
    [Theory]
    [InlineData(null, ExpositionFormat.PrometheusText)]
    [InlineData("", ExpositionFormat.PrometheusText)]
    [InlineData("*/*", ExpositionFormat.PrometheusText)]
    [InlineData("text/plain; version=0.0.4", ExpositionFormat.PrometheusText)]
    [InlineData("application/json", ExpositionFormat.PrometheusText)]
    [InlineData("application/openmetrics-text", ExpositionFormat.OpenMetrics)]
    [InlineData("APPLICATION/OPENMETRICS-TEXT; VERSION=1.0.0", ExpositionFormat.OpenMetrics)]
    [InlineData("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.OpenMetrics)]
    [InlineData("application/openmetrics-text; version=0.0.1", ExpositionFormat.OpenMetrics)]
    [InlineData("application/openmetrics-text; version=2.0.0", ExpositionFormat.PrometheusText)]
    [InlineData("application/openmetrics-text;q=0", ExpositionFormat.PrometheusText)]
    [InlineData("application/openmetrics-text;q=0.1, text/plain;q=0.9", ExpositionFormat.PrometheusText)]
    [InlineData("text/plain;q=0.5, application/openmetrics-text;q=0.5", ExpositionFormat.OpenMetrics)]
    [InlineData("application/openmetrics-text;q=bogus, text/plain", ExpositionFormat.PrometheusText)]

    // What Prometheus 2.x sends by default.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.OpenMetrics)]

    // What Prometheus 3.x sends by default.
    [InlineData("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1", ExpositionFormat.OpenMetrics)]

    // Prometheus configured with scrape_protocols: [PrometheusText0.0.4].
    [InlineData("text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.PrometheusText)]
    public void SelectFormat_AcceptHeader_ChoosesOpenMetricsOnlyWhenPreferred(string? accept, ExpositionFormat expected) =>
        Assert.Equal(expected, ScrapeContentNegotiation.SelectFormat(accept));

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("gzip", true)]
    [InlineData("GZIP", true)]
    [InlineData("x-gzip", true)]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("br;q=1.0, gzip;q=0.8", true)]
    [InlineData("deflate", false)]
    [InlineData("identity", false)]
    [InlineData("gzip;q=0", false)]
    [InlineData("*", true)]
    [InlineData("*;q=0", false)]
    [InlineData("gzip;q=0, *", false)]
    public void AcceptsGzip_AcceptEncodingHeader_HonoursQualityValues(string? acceptEncoding, bool expected) =>
        Assert.Equal(expected, ScrapeContentNegotiation.AcceptsGzip(acceptEncoding));
}
