using System.Diagnostics;
using System.IO.Compression;
using TcpState.Core;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter;

/// <summary>
/// The built exporter process, run inside a test namespace holding known sockets, scraped over
/// HTTP and checked against <c>ss</c> and <c>promtool</c>.
/// </summary>
public sealed class EndToEndTests : IClassFixture<EndToEndTests.Running>
{
    private const int Port = 19986;

    // The test starts exporters on Port, Port + 1 and Port + 2. Their scrape connections leave
    // TIME_WAIT sockets that outlive the listeners; naming the ports as server ports keeps those
    // attributed to the ports, so comparisons can leave them out.
    private const string ExporterPorts = "--sample.server-ports=19986,19987,19988";
    private readonly Running _running;

    public EndToEndTests(Running running) => _running = running;

    [Fact]
    public void Metrics_LiveSockets_EveryStateMatchesSs()
    {
        var text = _running.Exporter.Get("/metrics").Text;
        var ss = SsOutput.CaptureAll(_running.Live.Namespace);

        Assert.Equal(StateLabel.Count, PrometheusText.Samples(text, "tcpstate_sockets").Count);
        for (var i = 0; i < StateLabel.Count; i++)
        {
            var state = StateLabel.Name(i);
            // The exporters' own listeners and scrape connections come and go between the sample
            // and ss; compare everything else.
            var expected = ss.Sockets.Count(s => s.State == state && !IsExporterPort(s.LocalPort) && !IsExporterPort(s.PeerPort));
            Assert.True(expected == SocketsOutsideExporters(text, state), $"{state}: ss {expected}\n{ss.Text}\n{text}");
        }
    }

    [Fact]
    public void Metrics_PortFamily_SumsToTheStateTotals()
    {
        var text = _running.Exporter.Get("/metrics").Text;

        var states = PrometheusText.Samples(text, "tcpstate_sockets");
        var ports = PrometheusText.Samples(text, "tcpstate_port_sockets");
        for (var i = 0; i < StateLabel.Count; i++)
        {
            var state = StateLabel.Name(i);
            Assert.Equal(states[$"state={state}"], ports.Where(p => p.Key.EndsWith($"state={state}", StringComparison.Ordinal)).Sum(p => p.Value));
        }

        Assert.True(ports[$"port=8080,process={SocketHolderProcess.ExpectedProcessName},role=server,state=close_wait"] >= 3);
        Assert.Equal(1, ports["port=9090,process=,role=client,state=time_wait"]);
        Assert.Equal(1, PrometheusText.Samples(text, "tcpstate_build_info")["source=netlink,version=0.1.0"]);
    }

    [Fact]
    public void Metrics_TextFormat_PassesPromtool()
    {
        var response = _running.Exporter.Get("/metrics");

        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Headers["Content-Type"]);
        var check = Promtool.CheckMetrics(response.Body);
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
    }

    [Fact]
    public void Metrics_OpenMetricsAccept_AnswersOpenMetricsEndingInEof()
    {
        var response = _running.Exporter.Get("/metrics", ("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));

        Assert.StartsWith("application/openmetrics-text; version=1.0.0", response.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", response.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tcpstate_samples counter", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_GzipAccepted_AnswersGzip()
    {
        var response = _running.Exporter.Get("/metrics", ("Accept-Encoding", "gzip"));

        Assert.Equal("gzip", response.Headers["Content-Encoding"]);
        using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Contains("tcpstate_sockets{state=\"close_wait\"}", reader.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void LandingPageAndHealth_Answer200()
    {
        var landing = _running.Exporter.Get("/");
        var health = _running.Exporter.Get("/healthz");

        Assert.Equal(200, landing.Status);
        Assert.Contains("href=\"/metrics\"", landing.Text, StringComparison.Ordinal);
        Assert.Equal(200, health.Status);
        Assert.StartsWith("ok:", health.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_ProcSource_ReportsTheSameCountsAndItsSource()
    {
        using var proc = ExporterProcess.Start(_running.Live.Namespace, Port + 1, "--sample.source=proc", ExporterPorts);
        var viaProc = proc.Get("/metrics").Text;
        var viaNetlink = _running.Exporter.Get("/metrics").Text;

        Assert.Equal(1, PrometheusText.Samples(viaProc, "tcpstate_build_info")["source=proc,version=0.1.0"]);
        // Everything but the exporters' own listeners and scrape connections is the same.
        foreach (var state in new[] { "established", "close_wait", "fin_wait2", "time_wait", "listen" })
        {
            Assert.Equal(SocketsOutsideExporters(viaNetlink, state), SocketsOutsideExporters(viaProc, state));
        }
    }

    private static bool IsExporterPort(int port) => port is >= Port and < Port + 3;

    private static double SocketsOutsideExporters(string text, string state) =>
        PrometheusText.Samples(text, "tcpstate_port_sockets")
            .Where(p => p.Key.EndsWith($"state={state}", StringComparison.Ordinal))
            .Where(p => !Enumerable.Range(Port, 3).Any(port => p.Key.StartsWith($"port={port},", StringComparison.Ordinal)))
            .Sum(p => p.Value);

    [Fact]
    public void Terminate_Sigterm_ExitsCleanlyWithZero()
    {
        using var exporter = ExporterProcess.Start(_running.Live.Namespace, Port + 2, ExporterPorts);

        var code = exporter.Terminate(TimeSpan.FromSeconds(10));

        Assert.Equal(0, code);
    }

    [Fact]
    public void Start_PortAlreadyInUse_FailsWithOneClearLine()
    {
        var result = _running.Live.Namespace.Exec(TimeSpan.FromSeconds(30), ExporterProcess.ExecutablePath, $"--web.listen-address=127.0.0.1:{Port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{Port} (--web.listen-address)", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sample.interval=abc", "invalid --sample.interval (config key Sample:Interval, environment TCPSTATE_SAMPLE__INTERVAL): \"abc\"")]
    [InlineData("--sample.max-cpu-percent=150", "invalid --sample.max-cpu-percent (config key Sample:MaxCpuPercent, environment TCPSTATE_SAMPLE__MAXCPUPERCENT): \"150\": must be a number from 0 to 100")]
    [InlineData("--metrics.max-port-series=5", "invalid --metrics.max-port-series")]
    [InlineData("--no-such-flag=1", "unknown flag \"--no-such-flag\"")]
    public void Start_BadSetting_ExitsWithCode2NamingIt(string argument, string message)
    {
        var result = ProcessRunner.Run(ExporterProcess.ExecutablePath, [argument], TimeSpan.FromSeconds(30));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_BadEnvironmentVariable_ExitsWithCode2NamingIt()
    {
        var start = new ProcessStartInfo(ExporterProcess.ExecutablePath) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["TCPSTATE_SAMPLE__SOURCE"] = "ebpf";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit(30_000);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("invalid --sample.source (config key Sample:Source, environment TCPSTATE_SAMPLE__SOURCE): \"ebpf\": must be auto, netlink or proc", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_InsideTheNamespace_PrintsTheStatesAndTopPorts()
    {
        var result = _running.Live.Namespace.Exec(TimeSpan.FromSeconds(30), ExporterProcess.ExecutablePath, "snapshot", ExporterPorts, "--web.listen-address=127.0.0.1:1");
        var ss = SsOutput.CaptureAll(_running.Live.Namespace);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"close_wait   {ss.Count("close_wait"),8}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"close_wait\s+server\s+8080\s+SocketHolder\s+3\s", result.StandardOutput);
        // Rows after the first of a state leave the state column blank.
        var timeWaitRows = result.StandardOutput[result.StandardOutput.LastIndexOf("time_wait", StringComparison.Ordinal)..].Split('\n').TakeWhile(l => !l.StartsWith("close ", StringComparison.Ordinal));
        Assert.Contains(timeWaitRows, row => System.Text.RegularExpressions.Regex.IsMatch(row, @"^(time_wait)?\s+client\s+9090\s+-\s+1\s"));
    }

    [Fact]
    public void Snapshot_DaemonRunning_PrintsTheDaemonsSampleWithItsAges()
    {
        var result = _running.Live.Namespace.Exec(TimeSpan.FromSeconds(30), ExporterProcess.ExecutablePath, "snapshot", $"--web.listen-address=127.0.0.1:{Port}");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"From the running exporter at http://127.0.0.1:{Port}/api/v1/snapshot", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"close_wait\s+server\s+8080\s+SocketHolder\s+3\s+\d+s\s+0", result.StandardOutput);
    }

    [Fact]
    public void ApiSnapshot_Json_CarriesStatesGroupsAndQueues()
    {
        var response = _running.Exporter.Get("/api/v1/snapshot");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.Headers["Content-Type"], StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(response.Body);
        Assert.Equal(StateLabel.Count, json.RootElement.GetProperty("states").EnumerateObject().Count());
        Assert.Contains(json.RootElement.GetProperty("groups").EnumerateArray(), g =>
            g.GetProperty("state").GetString() == "close_wait" && g.GetProperty("port").GetString() == "8080" && g.GetProperty("oldestAgeSeconds").GetDouble() >= 0);
        Assert.Contains(json.RootElement.GetProperty("listenQueues").EnumerateArray(), q => q.GetProperty("port").GetInt32() == 6060 && q.GetProperty("length").GetInt64() > 0);
    }

    [Fact]
    public void Metrics_SmallTableAtOneSecond_KeepsTheIntervalWithinTheCpuBudget()
    {
        // A few sockets and the host's processes cost milliseconds of CPU a sample, far under the
        // default 2 % of 1 s (20 ms): after several samples, with the budget's cost known, the
        // interval in effect is still the configured one and nothing warned.
        var text = _running.Exporter.WaitForMetrics(t => PrometheusText.Samples(t, "tcpstate_samples_total")[""] >= 4);

        Assert.Equal(1, PrometheusText.Samples(text, "tcpstate_sample_interval_seconds")[""]);
        Assert.DoesNotContain("--sample.max-cpu-percent", _running.Exporter.Output + _running.Exporter.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public void Metrics_MethodOtherThanGetOrHead_Gets405(string method)
    {
        var response = _running.Live.Namespace.RunInside(() => LoopbackHttp.Send(Port, method, "/metrics", [("Content-Length", "0")]));

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Headers["Allow"]);
    }

    [Fact]
    public void Metrics_Head_AnswersHeadersWithoutBody()
    {
        var response = _running.Live.Namespace.RunInside(() => LoopbackHttp.Send(Port, "HEAD", "/metrics", []));

        Assert.Equal(200, response.Status);
        Assert.Empty(response.Body);
        Assert.True(long.Parse(response.Headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void Metrics_OversizedHeaders_AreRefused()
    {
        var response = _running.Exporter.Get("/metrics", ("X-Padding", new string('a', 20_000)));

        Assert.Equal(431, response.Status);
    }

    public sealed class Running : IDisposable
    {
        public Running()
        {
            Live = new LiveSockets();
            Exporter = ExporterProcess.Start(Live.Namespace, Port, "--sample.interval=1s", ExporterPorts);
        }

        public LiveSockets Live { get; }

        public ExporterProcess Exporter { get; }

        public void Dispose()
        {
            Exporter.Dispose();
            Live.Dispose();
        }
    }
}
