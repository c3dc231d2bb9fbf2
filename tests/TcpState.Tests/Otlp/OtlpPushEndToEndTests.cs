using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TcpState.Core;
using TcpState.Exporter.Metrics;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Otlp;

/// <summary>
/// The built exporter pushing over OTLP (--otlp.enabled) to a receiver the test runs, compared with
/// /metrics of the same process, and its behaviour when the collector refuses or never answers.
/// </summary>
public sealed partial class OtlpPushEndToEndTests
{
    private const string PushInterval = "200";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public void Push_HttpProtobufInNamespace_MatchesTheScrapeOfTheSameSample()
    {
        // Inside a test namespace with known sockets; the receiver listens in the namespace too,
        // since the exporter's loopback is the namespace's.
        using var live = new LiveSockets();
        using var receiver = OtlpHttpReceiver.Start(live.Namespace);
        using var exporter = ExporterProcess.StartInNamespace(live.Namespace, 9986, Environment(receiver.Port), "--otlp.enabled=true", "--sample.interval=1s");

        var scrape = exporter.Get("/metrics");
        Assert.Equal(200, scrape.Status);
        var sampledAt = Single(scrape.Text, "tcpstate_last_sample_timestamp_seconds");
        // Samples are a second apart and pushes 200 ms: some push carries the scraped sample, so
        // the two must agree exactly, whatever sockets came and went in between.
        var gauges = receiver.WaitFor(r => r.Metric("tcpstate.last.sample.timestamp") is { } m && Math.Abs(m.Points.Single().Value - sampledAt) < 0.0005, Wait);

        var sockets = gauges.Metric("tcpstate.sockets");
        Assert.True(sockets is not null, "the push of the scraped sample lacks tcpstate.sockets: " + string.Join(",", gauges.Metrics.Select(m => m.Name)));
        Assert.Equal(OtlpMetricKind.Gauge, sockets.Kind);
        Assert.Equal(StateLabel.Count, sockets.Points.Count);
        var pushed = sockets.Points.ToDictionary(p => p.Attribute("state")!, p => p.Value);
        var scraped = PrometheusText.Samples(scrape.Text, "tcpstate_sockets");
        for (var i = 0; i < StateLabel.Count; i++)
        {
            var state = StateLabel.Name(i);
            Assert.True(scraped[$"state={state}"] == pushed[state], $"{state}: scraped {scraped[$"state={state}"]}, pushed {pushed[state]}");
        }

        Assert.Equal(scraped.Values.Sum(), pushed.Values.Sum());
        Assert.True(pushed["close_wait"] >= 3, $"close_wait {pushed["close_wait"]}");
        AssertSameSeries(gauges.Metric("tcpstate.port.sockets")!, PrometheusText.Samples(scrape.Text, "tcpstate_port_sockets"));
        AssertSameSeries(gauges.Metric("tcpstate.listen.queue")!, PrometheusText.Samples(scrape.Text, "tcpstate_listen_queue"));
        var closeWait = gauges.Metric("tcpstate.port.sockets")!.Points.Single(p =>
            p.Attribute("state") == "close_wait" && p.Attribute("role") == "server" && p.Attribute("port") == "8080");
        Assert.Equal(SocketHolderProcess.ExpectedProcessName, closeWait.Attribute("process"));

        // One request carries the gauges, another the counters (see OtlpMetricsPipeline).
        Assert.All(gauges.Metrics, m => Assert.Equal(OtlpMetricKind.Gauge, m.Kind));
        Assert.Equal("/v1/metrics", gauges.Path);
        Assert.Equal("application/x-protobuf", gauges.ContentType);
        Assert.Equal(OtlpMetricsPipeline.DefaultServiceName, gauges.ResourceAttribute("service.name"));
        Assert.Equal(TcpStateMetrics.Version, gauges.ResourceAttribute("service.version"));
        Assert.Equal(System.Environment.MachineName, gauges.ResourceAttribute("host.name"));
        Assert.Equal(System.Environment.MachineName, gauges.ResourceAttribute("service.instance.id"));
        Assert.Equal(TcpStateMetrics.MeterName, sockets.Scope);

        // Counters are cumulative sums: the same start time, values that never go down.
        var first = receiver.WaitFor(r => r.Metric("tcpstate.samples") is not null, Wait);
        var later = receiver.WaitFor(r => r.Metric("tcpstate.samples") is { } m && m.Points[0].Value > first.Metric("tcpstate.samples")!.Points[0].Value, Wait);
        var samples = later.Metric("tcpstate.samples")!;
        Assert.Equal(OtlpMetricKind.Sum, samples.Kind);
        Assert.Equal(OtlpMetric.CumulativeTemporality, samples.Temporality);
        Assert.True(samples.IsMonotonic);
        Assert.Equal(first.Metric("tcpstate.samples")!.Points[0].StartTimeUnixNano, samples.Points[0].StartTimeUnixNano);
        Assert.All(later.Metrics, m => Assert.Equal(OtlpMetricKind.Sum, m.Kind));

        // /metrics keeps working beside the push, and shows its health.
        var after = exporter.Get("/metrics");
        Assert.Equal(200, after.Status);
        Assert.Equal(PrometheusText.Samples(after.Text, "tcpstate_sample_errors_total").Count, later.Metric("tcpstate.sample.errors")!.Points.Count);
        Assert.True(Single(after.Text, "tcpstate_otlp_exports_total") >= 2);
        Assert.Equal(0, Single(after.Text, "tcpstate_otlp_export_failures_total"));
        Assert.DoesNotContain("OTLP push of the", exporter.Output + exporter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Push_CollectorRefusesThenAccepts_KeepsServingLogsOnceAndRecovers()
    {
        // Bound but not listening: every connection is refused until the receiver starts on it.
        using var bound = OtlpHttpReceiver.Bind();
        var port = ((IPEndPoint)bound.LocalEndPoint!).Port;
        using var exporter = ExporterProcess.StartOnHost(19970, Environment(port), "--otlp.enabled=true", "--sample.interval=1s");

        var text = exporter.WaitForMetrics(t => Single(t, "tcpstate_otlp_export_failures_total") >= 20);
        Assert.Equal(200, exporter.Get("/healthz").Status);
        Assert.Equal(Single(text, "tcpstate_otlp_exports_total"), Single(text, "tcpstate_otlp_export_failures_total"));
        var log = exporter.Output + exporter.Error;
        // Twenty failures, yet one line per pipeline and one per kind of problem.
        Assert.Equal(2, Count(log, "OTLP push of the "));
        var kinds = ExporterProblemKind().Matches(log).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(kinds);
        Assert.Equal(kinds.Distinct().Count(), kinds.Count);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);

        using var receiver = OtlpHttpReceiver.Start(bound);
        receiver.WaitFor(r => r.Metric("tcpstate.sockets") is { Points.Count: 12 }, Wait);
        receiver.WaitFor(r => r.Metric("tcpstate.samples") is not null, Wait);
        WaitUntil(() => Count(exporter.Output + exporter.Error, "works again after") == 2, $"two recovery lines in:\n{exporter.Output}{exporter.Error}");
        // Scrapes are cached for 300 ms: wait for one taken after the recovery.
        exporter.WaitForMetrics(t => Single(t, "tcpstate_otlp_exports_total") > Single(t, "tcpstate_otlp_export_failures_total"));
    }

    [Fact]
    public void Push_Every_ReadsOneSampleForAllItsInstruments()
    {
        // Pushes every 100 ms while samples land every 500 ms: without a pin per push, a sample
        // published between two callbacks of one collection (the first one, at start-up, above all)
        // gave pushes with tcpstate_last_sample_timestamp but without tcpstate_sockets, or with
        // per-port counts of one sample and totals of the next.
        using var live = new LiveSockets();
        using var receiver = OtlpHttpReceiver.Start(live.Namespace);
        var environment = Environment(receiver.Port);
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "100";
        using var exporter = ExporterProcess.StartInNamespace(live.Namespace, 9986, environment, "--otlp.enabled=true", "--sample.interval=500ms");
        // Until six samples and twenty gauge pushes have arrived: on a loaded machine a push takes
        // longer and six samples can come with fewer than twenty pushes (seen: 18). The predicate
        // sees each request once, in order.
        var samples = new HashSet<double>();
        var gaugePushes = 0;
        receiver.WaitFor(r =>
        {
            if (r.Metric("tcpstate.stuck.threshold") is not null) gaugePushes++;
            if (r.Metric("tcpstate.last.sample.timestamp") is { } m) samples.Add(m.Points.Single().Value);
            return samples.Count >= 6 && gaugePushes >= 20;
        }, TimeSpan.FromSeconds(60));

        var pushes = receiver.Requests.Where(r => r.Metric("tcpstate.stuck.threshold") is not null).ToList();
        Assert.True(pushes.Count >= 20, $"{pushes.Count} gauge pushes");
        foreach (var push in pushes)
        {
            var names = string.Join(",", push.Metrics.Select(m => m.Name));
            if (push.Metric("tcpstate.last.sample.timestamp") is null)
            {
                // Before the first sample: nothing of a sample at all.
                Assert.True(push.Metric("tcpstate.sockets") is null && push.Metric("tcpstate.port.sockets") is null, names);
                continue;
            }

            var totals = push.Metric("tcpstate.sockets");
            Assert.True(totals is not null, "a push with a sample's timestamp lacks tcpstate.sockets: " + names);
            var ports = push.Metric("tcpstate.port.sockets")!;
            foreach (var total in totals.Points)
            {
                var state = total.Attribute("state");
                Assert.Equal(total.Value, ports.Points.Where(p => p.Attribute("state") == state).Sum(p => p.Value));
            }
        }
    }

    [Fact]
    public void Terminate_CollectorNeverAnswers_ScrapesStayFastAndExitIsBounded()
    {
        // A listener that never accepts: the kernel completes the connections and the requests
        // wait there until OTEL_EXPORTER_OTLP_TIMEOUT (10 s by default), longer than the shutdown budget.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(16);
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        using var exporter = ExporterProcess.StartOnHost(19971, Environment(port), "--otlp.enabled=true", "--sample.interval=1s");
        Thread.Sleep(1500);

        var scrape = Stopwatch.StartNew();
        Assert.Equal(200, exporter.Get("/metrics").Status);
        Assert.True(scrape.Elapsed < TimeSpan.FromSeconds(2), $"scrape took {scrape.Elapsed}");
        var stop = Stopwatch.StartNew();
        Assert.Equal(0, exporter.Terminate(TimeSpan.FromSeconds(30)));
        Assert.True(stop.Elapsed < OtlpMetricsPipeline.ShutdownTimeout + TimeSpan.FromSeconds(3), $"exit took {stop.Elapsed}");
    }

    [Fact]
    public void Push_Grpc_DeliversTheMetrics()
    {
        using var receiver = OtlpHttpReceiver.Start(grpc: true);
        using var exporter = ExporterProcess.StartOnHost(19972, Environment(receiver.Port, "grpc"), "--otlp.enabled=true", "--sample.interval=1s");

        var gauges = receiver.WaitFor(r => r.Metric("tcpstate.sockets") is not null, Wait);
        var counters = receiver.WaitFor(r => r.Metric("tcpstate.samples") is not null, Wait);

        Assert.Equal(StateLabel.Count, gauges.Metric("tcpstate.sockets")!.Points.Count);
        Assert.Equal("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", gauges.Path);
        Assert.StartsWith("application/grpc", gauges.ContentType, StringComparison.Ordinal);
        Assert.Equal(OtlpMetric.CumulativeTemporality, counters.Metric("tcpstate.samples")!.Temporality);
    }

    [Fact]
    public void Push_MetricsSpecificVariables_OverrideTheGenericOnes()
    {
        using var refused = OtlpHttpReceiver.Bind();
        using var receiver = OtlpHttpReceiver.Start();
        var environment = new Dictionary<string, string>
        {
            // The generic settings point at a refusing port, over gRPC, with a header...
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)refused.LocalEndPoint!).Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-generic=1",
            // ...and the metrics-specific ones win, the endpoint used exactly as given.
            ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = $"http://127.0.0.1:{receiver.Port}/custom/path",
            ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_METRICS_HEADERS"] = "x-tenant=team%20a",
            ["OTEL_EXPORTER_OTLP_METRICS_COMPRESSION"] = "gzip",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = PushInterval,
            ["OTEL_SERVICE_NAME"] = "edge-sockets",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test,host.name=edge-1",
        };
        using var exporter = ExporterProcess.StartOnHost(19973, environment, "--otlp.enabled=true", "--sample.interval=1s");

        var request = receiver.WaitFor(r => r.Metric("tcpstate.sockets") is not null, Wait);

        Assert.Equal("/custom/path", request.Path);
        Assert.Equal("team a", request.Headers["x-tenant"]);
        Assert.False(request.Headers.ContainsKey("x-generic"));
        Assert.Equal("gzip", request.Headers["Content-Encoding"]);
        Assert.Equal("edge-sockets", request.ResourceAttribute("service.name"));
        Assert.Equal("edge-1", request.ResourceAttribute("host.name"));
        Assert.Equal("test", request.ResourceAttribute("deployment.environment"));
        Assert.Contains($"to http://127.0.0.1:{receiver.Port}/custom/path every 200 ms, as service.name=edge-sockets", exporter.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Push_OtelSdkDisabledSet_MetricsAndPushBothWork()
    {
        // OTEL_SDK_DISABLED=true, read by the SDK itself, used to leave /metrics failing with 503.
        using var receiver = OtlpHttpReceiver.Start();
        var environment = Environment(receiver.Port);
        environment["OTEL_SDK_DISABLED"] = "true";
        using var exporter = ExporterProcess.StartOnHost(19975, environment, "--otlp.enabled=true", "--sample.interval=1s");

        receiver.WaitFor(r => r.Metric("tcpstate.sockets") is not null, Wait);
        var scrape = exporter.Get("/metrics");
        Assert.Equal(200, scrape.Status);
        Assert.Equal(StateLabel.Count, PrometheusText.Samples(scrape.Text, "tcpstate_sockets").Count);
        Assert.Contains("OTEL_SDK_DISABLED=true is ignored", exporter.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_EndpointSetWithoutTheFlag_PushesNothingAndSaysWhy()
    {
        using var receiver = OtlpHttpReceiver.Start();
        using var exporter = ExporterProcess.StartOnHost(19974, Environment(receiver.Port), "--sample.interval=1s");
        Thread.Sleep(1500);

        Assert.Equal(0, receiver.Count);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT is set but --otlp.enabled is false", exporter.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("tcpstate_otlp_", exporter.Get("/metrics").Text, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(int port, string protocol = "http/protobuf") => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
        ["OTEL_METRIC_EXPORT_INTERVAL"] = PushInterval,
    };

    private static double Single(string text, string name) =>
        PrometheusText.Samples(text, name).TryGetValue("", out var value) ? value : throw new InvalidOperationException($"{name} not in:\n{text}");

    /// <summary>Every pushed series equals the scraped series with the same labels, and there are as many.</summary>
    private static void AssertSameSeries(OtlpMetric pushed, IReadOnlyDictionary<string, double> scraped)
    {
        Assert.Equal(scraped.Count, pushed.Points.Count);
        foreach (var point in pushed.Points)
        {
            var labels = string.Join(',', point.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
            Assert.True(scraped.TryGetValue(labels, out var value), $"{pushed.Name}{{{labels}}} pushed but not scraped");
            Assert.Equal(value, point.Value);
        }
    }

    private static int Count(string text, string fragment) => Regex.Matches(text, Regex.Escape(fragment)).Count;

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > Wait) throw new TimeoutException($"waited {Wait.TotalSeconds} s for {what}");
            Thread.Sleep(100);
        }
    }

    [GeneratedRegex(@"OTLP exporter reports (\S+):")]
    private static partial Regex ExporterProblemKind();
}
