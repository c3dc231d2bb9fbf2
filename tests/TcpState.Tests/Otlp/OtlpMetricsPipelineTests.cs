using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Metrics;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Otlp;

/// <summary>
/// The OTLP pipeline in process, and the OpenTelemetry SDK behaviours (1.20.1) that shaped it: if
/// an SDK upgrade changes them, these tests say which design decision to revisit.
/// </summary>
public sealed class OtlpMetricsPipelineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public void Start_GaugeSeriesChurnFarPastTheLimit_PushesNoOverflowSeries()
    {
        using var meter = new Meter($"otlp-test-{Guid.NewGuid():N}");
        var generation = 0L;
        // Each collection reports a new attribute set, as port groups and destinations do over a daemon's life.
        meter.CreateObservableGauge("test.churning", () => new Measurement<long>(1, new KeyValuePair<string, object?>("generation", Interlocked.Increment(ref generation))));
        meter.CreateObservableCounter("test.total", () => new Measurement<long>(Interlocked.Read(ref generation)));
        using var receiver = OtlpHttpReceiver.Start();
        var statistics = new OtlpExportStatistics();

        using (OtlpMetricsPipeline.Start(Settings(receiver.Port), [meter.Name], cardinalityLimit: 4, "0.0.0", statistics, NullLogger.Instance))
        {
            // Twelve gauge pushes: three times the limit of 4 attribute sets.
            var deadline = DateTime.UtcNow + Wait;
            while (receiver.Requests.Count(r => r.Metric("test.churning") is not null) < 12)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {receiver.Count} pushes in {Wait.TotalSeconds} s");
                Thread.Sleep(50);
            }
        }

        var gauges = receiver.Requests.Select(r => r.Metric("test.churning")).OfType<OtlpMetric>().ToList();
        Assert.All(gauges, g => Assert.Equal(OtlpMetricKind.Gauge, g.Kind));
        Assert.All(gauges, g => Assert.False(g.Points.Single().Attributes.ContainsKey("otel.metric.overflow"), "an overflow series was pushed"));
        Assert.Equal(gauges.Count, gauges.Select(g => g.Points.Single().Attribute("generation")).Distinct().Count());
        var total = receiver.Requests.Select(r => r.Metric("test.total")).OfType<OtlpMetric>().Last();
        Assert.Equal(OtlpMetricKind.Sum, total.Kind);
        Assert.Equal(OtlpMetric.CumulativeTemporality, total.Temporality);
        Assert.Equal(0, statistics.Failures);
        Assert.True(statistics.Exports >= 12);
    }

    [Fact]
    public void SdkCumulativeReader_GaugeSeriesChurnPastTheLimit_Overflows()
    {
        // Why the gauges get a delta reader of their own: under cumulative the SDK never frees a slot.
        using var meter = new Meter($"otlp-test-{Guid.NewGuid():N}");
        var generation = 0;
        meter.CreateObservableGauge("test.churning", () => new Measurement<long>(1, new KeyValuePair<string, object?>("generation", ++generation)));
        var cumulative = new RecordingMetricExporter();
        var delta = new RecordingMetricExporter();
        var cumulativeReader = new BaseExportingMetricReader(cumulative) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        var deltaReader = new BaseExportingMetricReader(delta) { TemporalityPreference = MetricReaderTemporalityPreference.Delta };
        using var cumulativeProvider = Provider(meter, cumulativeReader, limit: 4);
        using var deltaProvider = Provider(meter, deltaReader, limit: 4);

        for (var i = 0; i < 8; i++)
        {
            cumulativeReader.Collect();
            deltaReader.Collect();
        }

        Assert.Contains(cumulative.Last, s => s.Contains("otel.metric.overflow", StringComparison.Ordinal));
        Assert.DoesNotContain(delta.Last, s => s.Contains("otel.metric.overflow", StringComparison.Ordinal));
    }

    [Fact]
    public void SdkSharedProvider_OneReaderCollects_TheOtherReaderExportsWhatItsCallbacksSaw()
    {
        // Why the push does not share the exposition's provider: a collection by one reader runs the
        // callbacks for every reader, so a series gone from the source is exported once more by the other.
        using var meter = new Meter($"otlp-test-{Guid.NewGuid():N}");
        string[] ports = ["8080", "9090"];
        meter.CreateObservableGauge("test.ports", () => ports.Select(p => new Measurement<long>(1, new KeyValuePair<string, object?>("port", p))));
        var scrape = new RecordingMetricExporter();
        var push = new RecordingMetricExporter();
        var scrapeReader = new BaseExportingMetricReader(scrape) { TemporalityPreference = MetricReaderTemporalityPreference.Delta };
        var pushReader = new BaseExportingMetricReader(push) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(scrapeReader).AddReader(pushReader).Build();

        scrapeReader.Collect();
        pushReader.Collect();
        ports = ["8080"];
        pushReader.Collect();
        ports = ["9090"];
        scrapeReader.Collect();

        Assert.Equal(["test.ports{port=8080}=1", "test.ports{port=9090}=1"], scrape.Last.Order(StringComparer.Ordinal));
    }

    private static MeterProvider Provider(Meter meter, MetricReader reader, int limit) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("*", new MetricStreamConfiguration { CardinalityLimit = limit })
            .AddReader(reader)
            .Build();

    private static OtlpSettings Settings(int port) => new()
    {
        // The metrics-specific settings override whatever OTEL_* the test host has.
        MetricsEndpoint = new Uri($"http://127.0.0.1:{port}/v1/metrics"),
        MetricsProtocol = "http/protobuf",
        ExportIntervalMilliseconds = 100,
    };
}
