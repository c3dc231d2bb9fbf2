using System.Diagnostics;
using System.Globalization;
using System.Text;
using TcpState.Bench;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Reliability.Load;

/// <summary>
/// <c>load</c>: wrk against the real, built exporter's /metrics on loopback, inside a network
/// namespace of its own (with a SocketHolder giving it a realistic table), for a fixed time. Passes
/// when wrk saw no socket error and no non-2xx answer, /metrics still passes promtool afterwards,
/// and the exporter's open fds and RSS are flat: fds after the run at most as many as before it,
/// RSS after it within <see cref="RssTolerance"/> of before it. "Before" is taken after a warm-up
/// run with the same load, so that the thread pool, Kestrel's buffers and the GC's budgets have
/// grown to their working size: what is left to see is growth per request, i.e. a leak.
/// </summary>
internal sealed class LoadMode : IReliabilityMode
{
    private const int ExporterPort = 9986;

    // 10 % of RSS or 8 MiB, whichever is larger: a leak of ~16 bytes per request shows at the
    // ~0.5-1 M requests a 60 s run makes, while GC timing alone moves RSS by a few MiB.
    private const double RssTolerance = 0.10;
    private const long RssToleranceFloor = 8L * 1024 * 1024;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public string Name => "load";

    public string Usage => "load [--duration S] [--connections N] [--threads N] [--warmup S] [--max-connections N]   (as root; default 60 s, 200 connections, 2 threads, 10 s warm-up, exporter --web.max-connections=256)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var reader = new ArgumentReader(arguments, new HashSet<string>());
        var duration = (int)reader.Number("--duration", 60, 1, 3600);
        var connections = (int)reader.Number("--connections", 200, 1, 10_000);
        var threads = (int)reader.Number("--threads", 2, 1, 64);
        var warmup = (int)reader.Number("--warmup", 10, 0, 600);
        var maxConnections = (int)reader.Number("--max-connections", 256, 1, 10_000);
        reader.RejectUnknown();
        if (reader.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{reader.Positional[0]}'");
        }

        Console.WriteLine("tcpstate-exporter load test: wrk against /metrics of the built exporter, loopback, in a network namespace");
        Console.WriteLine($"machine: nproc {Environment.ProcessorCount}, kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, {Version("wrk")}");
        Console.WriteLine($"load: {connections} connections, {threads} wrk threads, {duration} s (after a {warmup} s warm-up at the same load); exporter --web.max-connections={maxConnections} --sample.interval=1s");
        Console.WriteLine($"load average at the start: {LoadAverage.Now()}");

        using var ns = OwnTableNamespace.Create(out var table);
        Console.Error.WriteLine($"# namespace {ns.Name}");
        Console.WriteLine($"namespace: {table}");
        using var holder = SocketHolderProcess.Start(ns,
            "--ipv4", "--timeout", "1800", "--listen", "8080", "--established", "8080:100", "--close-wait", "8080:20", "--time-wait-client", "9090:10");
        cancellation.ThrowIfCancellationRequested();
        using var exporter = ExporterProcess.Start(ns, ExporterPort, $"--web.max-connections={maxConnections}", "--sample.interval=1s");
        var url = $"http://127.0.0.1:{ExporterPort}/metrics";
        var before = CheckMetrics(exporter, "before the load");
        Console.WriteLine($"/metrics before: {before.Bytes:N0} bytes, {before.Series:N0} series, promtool OK");

        if (warmup > 0)
        {
            Wrk(ns, url, threads, connections, warmup, cancellation);
        }

        Thread.Sleep(Settle);
        var start = ProcessResources.Of(exporter.Pid);
        var warnings = CountWarnings(exporter);
        Console.Error.WriteLine($"# exporter before: {start}");

        // RSS and fds through the run, to show a trend rather than two points.
        var trajectory = new List<(double Seconds, ProcessResources Resources)>();
        using var stopSampling = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sampler = Task.Run(() =>
        {
            while (!stopSampling.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(5)))
            {
                lock (trajectory) trajectory.Add((clock.Elapsed.TotalSeconds, ProcessResources.Of(exporter.Pid)));
            }
        });
        var result = Wrk(ns, url, threads, connections, duration, cancellation);
        var loadAtEnd = LoadAverage.Now(); // the 1-minute figure now covers the measured run
        stopSampling.Cancel();
        sampler.Wait();
        Thread.Sleep(Settle);
        var end = ProcessResources.Of(exporter.Pid);
        var after = CheckMetrics(exporter, "after the load");
        var health = exporter.Get("/healthz").Status;
        var newWarnings = CountWarnings(exporter) - warnings;

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"wrk: {result.Requests:N0} requests in {result.Seconds:0.0} s, {result.RequestsPerSecond:N0} requests/s, {result.TransferPerSecondBytes / 1048576:0.0} MiB/s");
        report.AppendLine(CultureInfo.InvariantCulture, $"latency: p50 {result.LatencyPercentilesMs[50]:0.00} ms, p75 {result.LatencyPercentilesMs[75]:0.00} ms, p90 {result.LatencyPercentilesMs[90]:0.00} ms, p99 {result.LatencyPercentilesMs[99]:0.00} ms");
        report.AppendLine(CultureInfo.InvariantCulture, $"load average as wrk ended: {loadAtEnd}");
        report.AppendLine(CultureInfo.InvariantCulture, $"errors: non-2xx {result.Non2xx}, socket errors {result.SocketErrors} (connect {result.ConnectErrors}, read {result.ReadErrors}, write {result.WriteErrors}, timeout {result.Timeouts})");
        report.AppendLine(CultureInfo.InvariantCulture, $"exporter before: {start}");
        lock (trajectory)
        {
            foreach (var (seconds, resources) in trajectory)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"  at {seconds,3:0} s: {resources}");
            }
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"exporter after:  {end}  ({Settle.TotalSeconds:0} s after wrk ended)");
        report.AppendLine(CultureInfo.InvariantCulture, $"CPU used by the exporter during the run: {end.CpuSeconds - start.CpuSeconds:0.0} s of {duration} s wall ({(end.CpuSeconds - start.CpuSeconds) / duration * 100:0} % of one core)");
        report.AppendLine(CultureInfo.InvariantCulture, $"/metrics after: {after.Bytes:N0} bytes, {after.Series:N0} series, promtool OK; /healthz {health}; warnings logged during the run: {newWarnings}");

        var rssLimit = start.RssBytes + Math.Max((long)(start.RssBytes * RssTolerance), RssToleranceFloor);
        var checks = new List<(bool Passed, string What)>
        {
            (result.SocketErrors == 0 && result.Non2xx == 0, "no socket errors and no non-2xx responses"),
            (end.OpenFds <= start.OpenFds, $"open fds flat: {end.OpenFds} after <= {start.OpenFds} before"),
            (end.RssBytes <= rssLimit, $"RSS flat: {ProcessResources.Mib(end.RssBytes)} after <= {ProcessResources.Mib(rssLimit)} (before + max(10 %, 8 MiB))"),
            (health == 200, "/healthz 200 after the run"),
        };
        foreach (var (passed, what) in checks)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{(passed ? "PASS" : "FAIL")} {what}");
        }

        Console.Write(report);
        return checks.All(c => c.Passed) ? 0 : 1;
    }

    private static WrkResult Wrk(NetworkNamespace ns, string url, int threads, int connections, int seconds, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        Console.Error.WriteLine($"# wrk -t{threads} -c{connections} -d{seconds}s --latency {url}");

        // Bounded twice: wrk stops itself after -d, and the namespace's Exec kills it a minute later.
        var run = ns.Exec(TimeSpan.FromSeconds(seconds + 60), "wrk", $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", url);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed with {run.ExitCode}: {run.StandardError}{run.StandardOutput}");
        }

        Console.Error.Write(run.StandardOutput);
        return WrkResult.Parse(run.StandardOutput);
    }

    private static (int Bytes, int Series) CheckMetrics(ExporterProcess exporter, string when)
    {
        var response = exporter.Get("/metrics");
        if (response.Status != 200)
        {
            throw new InvalidOperationException($"/metrics answered {response.Status} {when}");
        }

        var check = ProcessRunnerStdin.Run("promtool", ["check", "metrics"], response.Body, TimeSpan.FromSeconds(60));
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool check metrics failed {when}: {check.StandardOutput}{check.StandardError}");
        }

        var series = response.Text.Split('\n').Count(line => line.Length > 0 && line[0] != '#');
        return (response.Body.Length, series);
    }

    private static int CountWarnings(ExporterProcess exporter) =>
        (exporter.Output + exporter.Error).Split('\n').Count(line => line.Contains(" warn:", StringComparison.Ordinal) || line.Contains(" fail:", StringComparison.Ordinal));

    private static string Version(string tool)
    {
        try
        {
            var result = ProcessRunner.Run(tool, ["-v"], TimeSpan.FromSeconds(10));
            return (result.StandardOutput + result.StandardError).Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{tool} not found";
        }
    }
}
