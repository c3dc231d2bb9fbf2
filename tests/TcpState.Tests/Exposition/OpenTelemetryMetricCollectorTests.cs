using System.Diagnostics.Metrics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TcpState.Exposition;
using Xunit;
using static TcpState.Tests.Exposition.CollectorTestSupport;

namespace TcpState.Tests.Exposition;

public sealed class OpenTelemetryMetricCollectorTests
{
    [Fact]
    public void Collect_TypicalInstruments_MatchesSnapshots()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("tcpstate.sample.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.001, 0.01, 0.1, 1] })
            .AddPrometheusExposition(collector)
            .Build();

        var scrapes = meter.CreateCounter<long>("tcpstate.scrapes", "{scrape}", "Scrapes served.");
        var duration = meter.CreateHistogram<double>("tcpstate.sample.duration", "s", "Duration of one kernel sample.");
        var active = meter.CreateUpDownCounter<int>("tcpstate.connections.active", "{connection}", "Open connections.");
        var fill = meter.CreateGauge<double>("tcpstate.queue.fill", "1", "Accept queue fill level.");
        meter.CreateObservableGauge(
            "tcpstate.sockets",
            () => new[]
            {
                new Measurement<long>(5, new KeyValuePair<string, object?>("state", "ESTABLISHED"), new KeyValuePair<string, object?>("port", 443)),
                new Measurement<long>(2, new KeyValuePair<string, object?>("state", "TIME_WAIT"), new KeyValuePair<string, object?>("port", 443)),
            },
            "{socket}",
            "Sockets by state and local port.");
        meter.CreateObservableCounter("tcpstate.bytes.received", () => 123456789L, "By", "Bytes received.");
        meter.CreateObservableGauge("tcpstate.temperature", () => -1.5, "Cel", "Quoted \"help\" with a backslash \\.");

        scrapes.Add(3);
        duration.Record(0.0005, new KeyValuePair<string, object?>("source", "netlink"));
        duration.Record(0.05, new KeyValuePair<string, object?>("source", "netlink"));
        duration.Record(2.5, new KeyValuePair<string, object?>("source", "netlink"));
        active.Add(4);
        active.Add(-1);
        fill.Record(0.25);

        var families = collector.Collect();

        SnapshotAssert.Matches("Collector.prometheus", PrometheusTextSerializer.Serialize(families, ExpositionFormat.PrometheusText));
        SnapshotAssert.Matches("Collector.openmetrics", PrometheusTextSerializer.Serialize(families, ExpositionFormat.OpenMetrics));
    }

    [Fact]
    public void Collect_ObservableGaugeStopsReportingASeries_SeriesDisappears()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        int[] ports = [1];
        meter.CreateObservableGauge("tcpstate.port.sockets", () => Observe(ports));

        var first = Text(collector.Collect());
        ports = [2];
        var second = Text(collector.Collect());
        ports = [1, 2];
        var third = Text(collector.Collect());

        Assert.Equal("# HELP tcpstate_port_sockets tcpstate.port.sockets\n# TYPE tcpstate_port_sockets gauge\ntcpstate_port_sockets{port=\"1\"} 10\n", first);
        Assert.Equal("# HELP tcpstate_port_sockets tcpstate.port.sockets\n# TYPE tcpstate_port_sockets gauge\ntcpstate_port_sockets{port=\"2\"} 20\n", second);
        Assert.Equal("# HELP tcpstate_port_sockets tcpstate.port.sockets\n# TYPE tcpstate_port_sockets gauge\ntcpstate_port_sockets{port=\"1\"} 10\ntcpstate_port_sockets{port=\"2\"} 20\n", third);
    }

    [Fact]
    public void Collect_ObservableCounterAndUpDownCounterStopReportingASeries_SeriesDisappear()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        int[] ports = [1];
        meter.CreateObservableCounter("tcpstate.port.accepted", () => Observe(ports));
        meter.CreateObservableUpDownCounter("tcpstate.port.queued", () => Observe(ports));

        collector.Collect();
        ports = [2];
        var text = Text(collector.Collect());

        Assert.DoesNotContain("port=\"1\"", text, StringComparison.Ordinal);
        Assert.Contains("tcpstate_port_accepted_total{port=\"2\"} 20\n", text, StringComparison.Ordinal);
        Assert.Contains("tcpstate_port_queued{port=\"2\"} 20\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_SynchronousCounterSeriesNotUpdated_KeepsCumulativeSeries()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var counter = meter.CreateCounter<long>("tcpstate.events");

        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        collector.Collect();
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b"));
        var text = Text(collector.Collect());

        Assert.Equal("# HELP tcpstate_events_total tcpstate.events\n# TYPE tcpstate_events_total counter\ntcpstate_events_total{kind=\"a\"} 2\ntcpstate_events_total{kind=\"b\"} 1\n", text);
    }

    [Fact]
    public void Collect_InstrumentWithoutDescription_UsesInstrumentNameAsHelp()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        meter.CreateObservableGauge("tcpstate.listen.backlog", () => 4, "{connection}");

        var text = Text(collector.Collect());

        Assert.Equal("# HELP tcpstate_listen_backlog tcpstate.listen.backlog\n# TYPE tcpstate_listen_backlog gauge\ntcpstate_listen_backlog 4\n", text);
    }

    [Fact]
    public void Collect_SameNameWithDifferentTypes_KeepsFirstAndCountsDropped()
    {
        using var first = NewMeter();
        using var second = NewMeter();
        var messages = new List<string>();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { Diagnostic = messages.Add });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(first.Name, second.Name)
            .AddPrometheusExposition(collector)
            .Build();
        first.CreateCounter<long>("tcpstate.conflict", null, "The counter.").Add(5);
        second.CreateObservableGauge("tcpstate.conflict", () => 7, null, "The gauge.");
        second.CreateObservableGauge("tcpstate.conflict_total", () => 8, null, "Collides with the counter's samples.");

        var text = Text(collector.Collect());
        collector.Collect();

        Assert.Contains("# HELP tcpstate_conflict_total The counter.\n# TYPE tcpstate_conflict_total counter\ntcpstate_conflict_total 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("gauge.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" 7\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" 8\n", text, StringComparison.Ordinal);
        Assert.Contains("tcpstate_exposition_conflicting_metrics_dropped 2\n", text, StringComparison.Ordinal);
        Assert.Equal(2, collector.LastCollectionStatistics.ConflictingMetricsDropped);
        Assert.Equal(4, collector.TotalConflictingMetricsDropped);

        // Reported once per distinct conflict, not on every scrape.
        Assert.Equal(2, messages.Count);
        Assert.Contains("tcpstate.conflict'", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_SameNameAndTypeInTwoMeters_MergesIntoOneFamily()
    {
        using var first = NewMeter();
        using var second = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(first.Name, second.Name).AddPrometheusExposition(collector).Build();
        first.CreateCounter<long>("tcpstate.merged", null, "From the first meter.").Add(1, new KeyValuePair<string, object?>("from", "first"));
        second.CreateCounter<long>("tcpstate.merged", null, "From the second meter.").Add(2, new KeyValuePair<string, object?>("from", "second"));

        var text = Text(collector.Collect());

        Assert.Equal(
            "# HELP tcpstate_merged_total From the first meter.\n# TYPE tcpstate_merged_total counter\n"
            + "tcpstate_merged_total{from=\"first\"} 1\ntcpstate_merged_total{from=\"second\"} 2\n",
            text);
    }

    [Fact]
    public void Collect_DefaultCardinalityLimitExceeded_ExposesLabelledOverflowSeriesAndReportsIt()
    {
        using var meter = NewMeter();
        var messages = new List<string>();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { Diagnostic = messages.Add });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        meter.CreateObservableGauge("tcpstate.port.sockets", () => Observe(Range(2100)));

        var families = collector.Collect();
        var text = Text(families);

        Assert.Equal(2001, Find(families, "tcpstate_port_sockets").Samples.Count);
        Assert.Contains("tcpstate_port_sockets{otel_metric_overflow=\"true\"} ", text, StringComparison.Ordinal);
        Assert.Contains("tcpstate_exposition_cardinality_overflow_metrics 1\n", text, StringComparison.Ordinal);
        Assert.Equal(["tcpstate_port_sockets"], collector.LastCollectionStatistics.CardinalityOverflowMetrics);
        Assert.Contains(messages, message => message.Contains("cardinality limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Collect_CardinalityLimitRaised_ExposesEverySeries()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddCardinalityLimit("tcpstate.port.*", 5000)
            .AddPrometheusExposition(collector)
            .Build();
        meter.CreateObservableGauge("tcpstate.port.sockets", () => Observe(Range(2100)));

        var families = collector.Collect();

        Assert.Equal(2100, Find(families, "tcpstate_port_sockets").Samples.Count);
        Assert.DoesNotContain("otel_metric_overflow=\"true\"", Text(families), StringComparison.Ordinal);
        Assert.Empty(collector.LastCollectionStatistics.CardinalityOverflowMetrics);
    }

    [Fact]
    public void Collect_CardinalityLimitLowered_FoldsExcessSeriesIntoOverflowSeries()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddCardinalityLimit("tcpstate.port.accepted", 2)
            .AddPrometheusExposition(collector)
            .Build();
        var counter = meter.CreateCounter<long>("tcpstate.port.accepted");
        for (var port = 1; port <= 4; port++)
        {
            counter.Add(port, new KeyValuePair<string, object?>("port", port));
        }

        var text = Text(collector.Collect());

        Assert.Equal(
            "# HELP tcpstate_port_accepted_total tcpstate.port.accepted\n# TYPE tcpstate_port_accepted_total counter\n"
            + "tcpstate_port_accepted_total{otel_metric_overflow=\"true\"} 7\n"
            + "tcpstate_port_accepted_total{port=\"1\"} 1\n"
            + "tcpstate_port_accepted_total{port=\"2\"} 2\n",
            text);
    }

    [Fact]
    public void Collect_ObservableUpDownCounterSeriesChurnBeyondCardinalityLimit_OverflowsBecauseSlotsAreNeverReclaimed()
    {
        // Pins an OpenTelemetry 1.20.1 behaviour the cardinality limit of UpDownCounters must be sized
        // for: the SDK keeps them cumulative even under delta preference, and under cumulative
        // temporality an attribute set keeps its slot after the callback stops reporting it.
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddCardinalityLimit("tcpstate.port.queued", 3)
            .AddPrometheusExposition(collector)
            .Build();
        int[] ports = [];
        meter.CreateObservableUpDownCounter("tcpstate.port.queued", () => Observe(ports));

        foreach (var port in new[] { 1, 2, 3 })
        {
            ports = [port];
            collector.Collect();
        }

        ports = [4];
        var text = Text(collector.Collect());

        Assert.Contains("tcpstate_port_queued{otel_metric_overflow=\"true\"} 40\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port=", text, StringComparison.Ordinal);
        Assert.Equal(["tcpstate_port_queued"], collector.LastCollectionStatistics.CardinalityOverflowMetrics);
    }

    [Fact]
    public void Collect_ReaderNotAddedToProvider_Throws()
    {
        var collector = new OpenTelemetryMetricCollector();

        Assert.Throws<InvalidOperationException>(() => collector.Collect());
    }

    [Fact]
    public void Collect_ProviderDisposed_Throws()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector();
        var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        collector.Collect();

        provider.Dispose();

        Assert.Throws<InvalidOperationException>(() => collector.Collect());
    }

    [Fact]
    public void Collect_HistogramWithoutBuckets_ExposesOnlyTheInfinityBucket()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("tcpstate.size", new ExplicitBucketHistogramConfiguration { Boundaries = [] })
            .AddPrometheusExposition(collector)
            .Build();
        meter.CreateHistogram<long>("tcpstate.size", "By").Record(3);

        var text = Text(collector.Collect());

        Assert.Equal(
            "# HELP tcpstate_size_bytes tcpstate.size\n# TYPE tcpstate_size_bytes histogram\n"
            + "tcpstate_size_bytes_bucket{le=\"+Inf\"} 1\ntcpstate_size_bytes_sum 3\ntcpstate_size_bytes_count 1\n",
            text);
    }

    [Fact]
    public async Task Collect_ThroughScrapeHandler_ServesCollectedMetrics()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        meter.CreateObservableGauge("tcpstate.up", () => 1);
        var handler = new PrometheusScrapeHandler(collector);

        var response = await handler.ScrapeAsync("application/openmetrics-text", null);

        Assert.Contains("# HELP tcpstate_up tcpstate.up\n# TYPE tcpstate_up gauge\ntcpstate_up 1\n", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }
}
