using System.Diagnostics.Metrics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using TcpState.Exposition;
using Xunit;
using static TcpState.Tests.Exposition.CollectorTestSupport;

namespace TcpState.Tests.Exposition;

/// <summary>
/// The collector's reader uses delta temporality so that the SDK reclaims the slots of attribute sets
/// that are no longer reported; these tests prove that churning series no longer exhaust the cardinality
/// limit and that the exposition still shows what a cumulative reader showed.
/// </summary>
public sealed class OpenTelemetryMetricCollectorDeltaTests
{
    [Fact]
    public void Collect_ObservableGaugeChurnsThroughFarMoreAttributeSetsThanTheLimit_NeverOverflowsAndShowsExactlyTheLiveSeries()
    {
        using var meter = NewMeter();
        var messages = new List<string>();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { Diagnostic = messages.Add });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddCardinalityLimit("tcpstate.port.sockets", 10)
            .AddPrometheusExposition(collector)
            .Build();
        int[] live = [];
        meter.CreateObservableGauge("tcpstate.port.sockets", () => ObserveListeners(live));
        var seen = new HashSet<int>();

        for (var collection = 0; collection < 200; collection++)
        {
            // A window of 1 to 5 ports that moves on by one port per collection.
            live = Enumerable.Range(1000 + collection, 1 + (collection % 5)).ToArray();
            seen.UnionWith(live);

            var families = collector.Collect();

            var expected = live.Select(port => $"port={port},role=server,state=LISTEN {port}");
            Assert.Equal(expected, Find(families, "tcpstate_port_sockets").Samples.Select(Describe));
            Assert.Empty(collector.LastCollectionStatistics.CardinalityOverflowMetrics);
            Assert.Equal(0, Find(families, "tcpstate_exposition_cardinality_overflow_metrics").Samples[0].Value);
        }

        Assert.Equal(204, seen.Count);
        Assert.Empty(messages);
    }

    [Fact]
    public void Collect_ObservableGaugeReplacesAllItsSeriesAtOnce_LimitMustCoverTwoConsecutiveCollections()
    {
        // Pins the OpenTelemetry 1.20.1 timing the cardinality limit must be sized for: a slot is freed
        // by the first collection that does not see its attribute set, after that collection's callbacks
        // ran, so the attribute sets of two consecutive collections must fit.
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddCardinalityLimit("tcpstate.port.sockets", 4)
            .AddPrometheusExposition(collector)
            .Build();
        int[] ports = [1, 2];
        meter.CreateObservableGauge("tcpstate.port.sockets", () => Observe(ports));

        collector.Collect();
        ports = [3, 4];
        var replaced = Text(collector.Collect());
        ports = [5, 6, 7];
        var tooMany = Text(collector.Collect());
        var again = Text(collector.Collect());

        const string Header = "# HELP tcpstate_port_sockets tcpstate.port.sockets\n# TYPE tcpstate_port_sockets gauge\n";
        Assert.Equal(Header + "tcpstate_port_sockets{port=\"3\"} 30\ntcpstate_port_sockets{port=\"4\"} 40\n", replaced);
        Assert.Equal(
            Header + "tcpstate_port_sockets{otel_metric_overflow=\"true\"} 70\ntcpstate_port_sockets{port=\"5\"} 50\ntcpstate_port_sockets{port=\"6\"} 60\n",
            tooMany);
        Assert.Equal(
            Header + "tcpstate_port_sockets{port=\"5\"} 50\ntcpstate_port_sockets{port=\"6\"} 60\ntcpstate_port_sockets{port=\"7\"} 70\n",
            again);
    }

    [Fact]
    public void Collect_ObservableCounters_ShowTheObservedTotalsAsWithCumulativeTemporality()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var accepted = new SortedDictionary<int, long>();
        long? samples = null;
        var busy = 0.0;
        meter.CreateObservableCounter(
            "tcpstate.port.accepted",
            () => accepted.Select(entry => new Measurement<long>(entry.Value, new KeyValuePair<string, object?>("port", entry.Key))).ToList());
        meter.CreateObservableCounter(
            "tcpstate.samples",
            () => samples is { } value ? [new Measurement<long>(value)] : Array.Empty<Measurement<long>>());
        meter.CreateObservableCounter("tcpstate.busy", () => busy, "s");

        accepted[80] = 5;
        accepted[443] = 7;
        samples = 1;
        busy = 0.5;
        var first = Text(collector.Collect());
        accepted[80] = 8;
        samples = 2;
        busy = 1.75;
        var second = Text(collector.Collect());

        // Port 80 and the series without attributes are not observed; busy does not change.
        accepted.Remove(80);
        accepted[443] = 9;
        samples = null;
        var third = Text(collector.Collect());

        // Observed again: their totals come back as observed, not added to what was shown before.
        accepted[80] = 12;
        samples = 4;
        busy = 4.25;
        var fourth = Text(collector.Collect());

        // The source restarted port 80's total: shown as observed, Prometheus sees a counter reset.
        accepted[80] = 3;
        accepted[443] = 10;
        samples = 5;
        var fifth = Text(collector.Collect());

        Assert.Equal(ObservedCounters(busy: "0.5", port443: 7, port80: 5, samples: 1), first);
        Assert.Equal(ObservedCounters(busy: "1.75", port443: 7, port80: 8, samples: 2), second);
        Assert.Equal(ObservedCounters(busy: "1.75", port443: 9, port80: null, samples: null), third);
        Assert.Equal(ObservedCounters(busy: "4.25", port443: 9, port80: 12, samples: 4), fourth);
        Assert.Equal(ObservedCounters(busy: "4.25", port443: 10, port80: 3, samples: 5), fifth);
    }

    [Fact]
    public void Collect_SynchronousCounters_ShowCumulativeTotalsAcrossCollections()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var events = meter.CreateCounter<long>("tcpstate.events");
        var busy = meter.CreateCounter<double>("tcpstate.busy", "s");
        var requests = meter.CreateCounter<long>("tcpstate.requests");

        events.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        busy.Add(0.25);
        requests.Add(1);
        var first = Text(collector.Collect());
        events.Add(1, new KeyValuePair<string, object?>("kind", "b"));
        var second = Text(collector.Collect());

        // Nothing is measured: every series keeps its total instead of disappearing.
        var third = Text(collector.Collect());
        events.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        busy.Add(0.5);
        requests.Add(10);
        var fourth = Text(collector.Collect());

        Assert.Equal(SynchronousCounters(busy: "0.25", kindA: 2, kindB: null, requests: 1), first);
        Assert.Equal(SynchronousCounters(busy: "0.25", kindA: 2, kindB: 1, requests: 1), second);
        Assert.Equal(second, third);
        Assert.Equal(SynchronousCounters(busy: "0.75", kindA: 5, kindB: 1, requests: 11), fourth);
    }

    [Fact]
    public void Collect_Histogram_ShowsCumulativeBucketsAcrossCollections()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("tcpstate.latency", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 10] })
            .AddPrometheusExposition(collector)
            .Build();
        var latency = meter.CreateHistogram<double>("tcpstate.latency", "s");
        var a = new KeyValuePair<string, object?>("source", "a");
        var b = new KeyValuePair<string, object?>("source", "b");

        latency.Record(0.5, a);
        latency.Record(5, a);
        var first = Text(collector.Collect());
        latency.Record(50, b);
        var second = Text(collector.Collect());
        var third = Text(collector.Collect());
        latency.Record(0.25, a);
        latency.Record(20, a);
        var fourth = Text(collector.Collect());

        const string Header = "# HELP tcpstate_latency_seconds tcpstate.latency\n# TYPE tcpstate_latency_seconds histogram\n";
        var a1 = HistogramSeries("source=\"a\"", [1, 2, 2], "5.5", 2);
        var b1 = HistogramSeries("source=\"b\"", [0, 0, 1], "50", 1);
        Assert.Equal(Header + a1, first);
        Assert.Equal(Header + a1 + b1, second);
        Assert.Equal(second, third);
        Assert.Equal(Header + HistogramSeries("source=\"a\"", [2, 3, 4], "25.75", 4) + b1, fourth);
    }

    [Fact]
    public void Collect_SynchronousGauge_KeepsItsLastValueAcrossCollections()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var depth = meter.CreateGauge<long>("tcpstate.queue.depth");

        depth.Record(3, new KeyValuePair<string, object?>("queue", "x"));
        var first = Text(collector.Collect());
        var second = Text(collector.Collect());
        depth.Record(5, new KeyValuePair<string, object?>("queue", "x"));
        depth.Record(7, new KeyValuePair<string, object?>("queue", "y"));
        var third = Text(collector.Collect());

        const string Header = "# HELP tcpstate_queue_depth tcpstate.queue.depth\n# TYPE tcpstate_queue_depth gauge\n";
        Assert.Equal(Header + "tcpstate_queue_depth{queue=\"x\"} 3\n", first);
        Assert.Equal(first, second);
        Assert.Equal(Header + "tcpstate_queue_depth{queue=\"x\"} 5\ntcpstate_queue_depth{queue=\"y\"} 7\n", third);
    }

    [Fact]
    public void DeltaPreference_UpDownCounters_StayCumulative()
    {
        // Pins what the collector's delta reader receives from OpenTelemetry 1.20.1: non-monotonic
        // sums stay cumulative (so they are exported as they come, and never reclaimed); the rest is delta.
        using var meter = NewMeter();
        var exporter = new TemporalityRecordingExporter();
        var reader = new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Delta };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(reader).Build();
        meter.CreateCounter<long>("counter").Add(1);
        meter.CreateObservableCounter("observable.counter", () => 1L);
        meter.CreateHistogram<double>("histogram").Record(1);
        meter.CreateGauge<long>("gauge").Record(1);
        meter.CreateObservableGauge("observable.gauge", () => 1L);
        meter.CreateUpDownCounter<long>("updown.counter").Add(1);
        meter.CreateObservableUpDownCounter("observable.updown.counter", () => 1L);

        Assert.True(reader.Collect());

        Assert.Equal(
            new Dictionary<string, AggregationTemporality>
            {
                ["counter"] = AggregationTemporality.Delta,
                ["observable.counter"] = AggregationTemporality.Delta,
                ["histogram"] = AggregationTemporality.Delta,
                ["gauge"] = AggregationTemporality.Delta,
                ["observable.gauge"] = AggregationTemporality.Delta,
                ["updown.counter"] = AggregationTemporality.Cumulative,
                ["observable.updown.counter"] = AggregationTemporality.Cumulative,
            },
            exporter.Temporalities);
    }

    [Fact]
    public void Collect_SynchronousUpDownCounter_ShowsItsCurrentValueAcrossCollections()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var active = meter.CreateUpDownCounter<int>("tcpstate.connections.active");

        active.Add(4);
        var first = Text(collector.Collect());
        active.Add(-1);
        var second = Text(collector.Collect());
        var third = Text(collector.Collect());

        const string Header = "# HELP tcpstate_connections_active tcpstate.connections.active\n# TYPE tcpstate_connections_active gauge\n";
        Assert.Equal(Header + "tcpstate_connections_active 4\n", first);
        Assert.Equal(Header + "tcpstate_connections_active 3\n", second);
        Assert.Equal(second, third);
    }

    [Fact]
    public void Collect_MoreRetainedSeriesThanTheLimit_FoldsTheLeastRecentlyUpdatedIntoTheOverflowSeriesAndReportsIt()
    {
        using var meter = NewMeter();
        var messages = new List<string>();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { RetainedSeriesLimit = 2, Diagnostic = messages.Add });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var accepted = meter.CreateCounter<long>("tcpstate.port.accepted");

        accepted.Add(1, Port(1));
        accepted.Add(2, Port(2));
        accepted.Add(3, Port(3));
        var first = collector.Collect();
        var firstStatistics = collector.LastCollectionStatistics;
        accepted.Add(10, Port(3));
        var second = collector.Collect();
        var secondStatistics = collector.LastCollectionStatistics;
        accepted.Add(5, Port(1));
        var third = collector.Collect();
        var fourth = collector.Collect();

        // Series updated by the collection are never folded, even beyond the limit.
        Assert.Equal(["port=1 1", "port=2 2", "port=3 3"], Find(first, "tcpstate_port_accepted").Samples.Select(Describe));
        Assert.Equal(0, firstStatistics.RetainedSeriesFolded);
        Assert.Empty(firstStatistics.CardinalityOverflowMetrics);

        // Port 1 and 2 are equally stale; the label order breaks the tie. The family total stays 16.
        Assert.Equal(["otel_metric_overflow=true 1", "port=2 2", "port=3 13"], Find(second, "tcpstate_port_accepted").Samples.Select(Describe));
        Assert.Equal(1, secondStatistics.RetainedSeriesFolded);
        Assert.Equal(["tcpstate_port_accepted"], secondStatistics.CardinalityOverflowMetrics);
        Assert.Contains("tcpstate_exposition_cardinality_overflow_metrics 1\n", Text(second), StringComparison.Ordinal);

        // Port 1 comes back from its new increment; port 2 is now the least recently updated. Total 21.
        Assert.Equal(["otel_metric_overflow=true 3", "port=1 5", "port=3 13"], Find(third, "tcpstate_port_accepted").Samples.Select(Describe));
        Assert.Equal(Find(third, "tcpstate_port_accepted").Samples.Select(Describe), Find(fourth, "tcpstate_port_accepted").Samples.Select(Describe));
        Assert.Equal(0, collector.LastCollectionStatistics.RetainedSeriesFolded);
        Assert.Equal(["tcpstate_port_accepted"], collector.LastCollectionStatistics.CardinalityOverflowMetrics);
        Assert.Equal(2, collector.TotalRetainedSeriesFolded);

        var message = Assert.Single(messages);
        Assert.Contains("RetainedSeriesLimit", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MoreRetainedHistogramSeriesThanTheLimit_FoldsTheirBucketsIntoTheOverflowSeries()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null, RetainedSeriesLimit = 1 });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("tcpstate.latency", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 10] })
            .AddPrometheusExposition(collector)
            .Build();
        var latency = meter.CreateHistogram<double>("tcpstate.latency", "s");

        latency.Record(0.5, new KeyValuePair<string, object?>("source", "a"));
        latency.Record(5, new KeyValuePair<string, object?>("source", "a"));
        collector.Collect();
        latency.Record(50, new KeyValuePair<string, object?>("source", "b"));
        var text = Text(collector.Collect());

        Assert.Equal(
            "# HELP tcpstate_latency_seconds tcpstate.latency\n# TYPE tcpstate_latency_seconds histogram\n"
            + HistogramSeries("otel_metric_overflow=\"true\"", [1, 2, 2], "5.5", 2)
            + HistogramSeries("source=\"b\"", [0, 0, 1], "50", 1),
            text);
    }

    [Fact]
    public void Collect_ProviderFlushedBetweenScrapes_LosesNoDelta()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var events = meter.CreateCounter<long>("tcpstate.events");
        long samples = 0;
        meter.CreateObservableCounter("tcpstate.samples", () => samples);

        events.Add(2);
        samples = 1;
        var first = Text(collector.Collect());

        // A collection the collector did not start (e.g. the host flushing the provider) consumes deltas too.
        events.Add(3);
        samples = 4;
        Assert.True(provider.ForceFlush());
        events.Add(5);
        samples = 6;
        var second = Text(collector.Collect());

        const string Events = "# HELP tcpstate_events_total tcpstate.events\n# TYPE tcpstate_events_total counter\ntcpstate_events_total ";
        const string Samples = "# HELP tcpstate_samples_total tcpstate.samples\n# TYPE tcpstate_samples_total counter\ntcpstate_samples_total ";
        Assert.Equal(Events + "2\n" + Samples + "1\n", first);
        Assert.Equal(Events + "10\n" + Samples + "6\n", second);
    }

    [Fact]
    public async Task Collect_CalledConcurrentlyWithMeasurementsAndFlushes_CountsEveryIncrementOnce()
    {
        using var meter = NewMeter();
        var collector = new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { DiagnosticMetricPrefix = null });
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddPrometheusExposition(collector).Build();
        var events = meter.CreateCounter<long>("tcpstate.events");
        const int Writers = 4;
        const int AddsPerWriter = 20_000;
        const int Kinds = 8;
        using var done = new CancellationTokenSource();

        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < AddsPerWriter; i++)
            {
                events.Add(1, new KeyValuePair<string, object?>("kind", i % Kinds));
            }
        })).ToArray();
        var collectors = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            // Every scrape is consistent: no counter ever goes down.
            var previous = new Dictionary<string, double>(StringComparer.Ordinal);
            while (!done.IsCancellationRequested)
            {
                var families = collector.Collect();
                if (families.Count == 0)
                {
                    continue;
                }

                foreach (var sample in Find(families, "tcpstate_events").Samples)
                {
                    var kind = sample.Labels[0].Value;
                    Assert.True(sample.Value >= previous.GetValueOrDefault(kind), $"kind {kind} went down");
                    previous[kind] = sample.Value;
                }
            }
        })).ToArray();
        var flusher = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                provider.ForceFlush();
            }
        });

        await Task.WhenAll(writers);
        await done.CancelAsync();
        await Task.WhenAll([.. collectors, flusher]);
        var totals = Find(collector.Collect(), "tcpstate_events").Samples.Select(Describe);

        Assert.Equal(Enumerable.Range(0, Kinds).Select(kind => $"kind={kind} {Writers * AddsPerWriter / Kinds}"), totals);
    }

    [Fact]
    public void Constructor_RetainedSeriesLimitBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new OpenTelemetryMetricCollector(new OpenTelemetryMetricCollectorOptions { RetainedSeriesLimit = 0 }));
    }

    private static List<Measurement<long>> ObserveListeners(int[] ports) =>
        ports.Select(port => new Measurement<long>(
            port,
            new KeyValuePair<string, object?>("state", "LISTEN"),
            new KeyValuePair<string, object?>("role", "server"),
            new KeyValuePair<string, object?>("port", port))).ToList();

    private static KeyValuePair<string, object?> Port(int port) => new("port", port);

    private static string Describe(MetricSample sample) =>
        string.Join(",", sample.Labels.Select(label => label.Name + "=" + label.Value))
        + " " + sample.Value.ToString(CultureInfo.InvariantCulture);

    private static string ObservedCounters(string busy, long port443, long? port80, long? samples)
    {
        var text = "# HELP tcpstate_busy_seconds_total tcpstate.busy\n# TYPE tcpstate_busy_seconds_total counter\n"
            + $"tcpstate_busy_seconds_total {busy}\n"
            + "# HELP tcpstate_port_accepted_total tcpstate.port.accepted\n# TYPE tcpstate_port_accepted_total counter\n"
            + $"tcpstate_port_accepted_total{{port=\"443\"}} {port443}\n"
            + (port80 is null ? string.Empty : $"tcpstate_port_accepted_total{{port=\"80\"}} {port80}\n");
        return samples is null
            ? text
            : text + $"# HELP tcpstate_samples_total tcpstate.samples\n# TYPE tcpstate_samples_total counter\ntcpstate_samples_total {samples}\n";
    }

    private static string SynchronousCounters(string busy, long kindA, long? kindB, long requests) =>
        "# HELP tcpstate_busy_seconds_total tcpstate.busy\n# TYPE tcpstate_busy_seconds_total counter\n"
        + $"tcpstate_busy_seconds_total {busy}\n"
        + "# HELP tcpstate_events_total tcpstate.events\n# TYPE tcpstate_events_total counter\n"
        + $"tcpstate_events_total{{kind=\"a\"}} {kindA}\n"
        + (kindB is null ? string.Empty : $"tcpstate_events_total{{kind=\"b\"}} {kindB}\n")
        + "# HELP tcpstate_requests_total tcpstate.requests\n# TYPE tcpstate_requests_total counter\n"
        + $"tcpstate_requests_total {requests}\n";

    private static string HistogramSeries(string labels, long[] cumulativeBuckets, string sum, long count)
    {
        return $"tcpstate_latency_seconds_bucket{{{labels},le=\"1.0\"}} {cumulativeBuckets[0]}\n"
            + $"tcpstate_latency_seconds_bucket{{{labels},le=\"10.0\"}} {cumulativeBuckets[1]}\n"
            + $"tcpstate_latency_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulativeBuckets[2]}\n"
            + $"tcpstate_latency_seconds_sum{{{labels}}} {sum}\n"
            + $"tcpstate_latency_seconds_count{{{labels}}} {count}\n";
    }
}
