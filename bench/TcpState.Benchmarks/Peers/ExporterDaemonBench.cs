using System.Diagnostics;
using System.Globalization;
using TcpState.Bench;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The built exporter, run inside the load's namespace with its default 10 s interval: the
/// time of one uncached scrape, /metrics under wrk (32 connections), and its RSS and CPU share
/// over whole intervals once the cold first sample is behind it. The interval the daemon
/// really uses (it stretches after a sample longer than a tenth of it, and to hold samples within
/// --sample.max-cpu-percent) is read from tcpstate_sample_interval_seconds and used for the windows.
/// </summary>
internal static class ExporterDaemonBench
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WrkDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarmUpDuration = TimeSpan.FromSeconds(5);

    // The event ids of the daemon's two warnings that it stretched the interval (src/TcpState.Exporter/Sampling/Log.cs),
    // as the console log prints them: a sample slower than a tenth of the interval, samples over the CPU budget.
    private const string SlowSampleEvent = "SamplingService[1006]";
    private const string OverCpuBudgetEvent = "SamplingService[1012]";
    private const int WrkConnections = 32;
    private const int SingleScrapes = 8;

    // Beyond the exporter's 1 s response cache, so each scrape collects anew.
    private static readonly TimeSpan ScrapeSpacing = TimeSpan.FromMilliseconds(1100);

    public static DaemonResult Measure(SocketLoad load, string exporter, List<string> notes, List<string> problems, CancellationToken cancellation)
    {
        PeersBenchmark.Progress("exporter daemon: start, CPU window, single scrapes, wrk");
        using var daemon = new ScrapedProcess(load.Namespace, exporter,
            [$"--web.listen-address=127.0.0.1:{PeersBenchmark.ExporterPort}", $"--metrics.max-port-series={PeersBenchmark.DaemonMaxPortSeries}"],
            PeersBenchmark.ExporterPort, TimeSpan.FromMinutes(3));

        // Past the cold first sample (every process's fds read): wait for the second.
        var clock = Stopwatch.StartNew();
        while (ScrapedProcess.Value(daemon.Scrape().Body, "tcpstate_samples_total") < 2)
        {
            cancellation.ThrowIfCancellationRequested();
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the exporter did not take its second sample within 2 minutes");
            }

            Thread.Sleep(500);
        }

        var (cpuShare, window, windowInterval) = MeasureCpuWindow(daemon, load, notes, cancellation);
        var interval = windowInterval; // read again before wrk
        var rss = ProcessUsage.StatusBytes(daemon.Pid, "VmRSS");
        var peak = ProcessUsage.StatusBytes(daemon.Pid, "VmHWM");

        load.Ensure(SingleScrapes * ScrapeSpacing * 2, cancellation);
        var scrapes = new List<double>();
        var body = "";
        for (var i = 0; i < SingleScrapes; i++)
        {
            Thread.Sleep(ScrapeSpacing);
            (body, var wall, _) = daemon.Scrape();
            scrapes.Add(wall);
        }

        var sampleSeconds = ScrapedProcess.Value(body, "tcpstate_sample_duration_seconds");
        var sockets = ScrapedProcess.Sum(body, "tcpstate_sockets");

        // wrk runs between two samples: right after one ends, for what is left of the interval, so
        // that the sample's own CPU (a second of one of the two cores at 1M) does not land in the
        // scrape latencies. The scrape path never touches the kernel; this measures it alone.
        interval = EffectiveInterval(daemon);
        var wrkSeconds = (int)Math.Clamp(interval.TotalSeconds - sampleSeconds - 1.5, 3, WrkDuration.TotalSeconds);

        // A warm-up run first, its numbers discarded, between two samples like the others: the
        // runtime compiles the request path's hot methods again, optimized, after their first
        // thousands of calls, which a daemon that has answered scrapes for a while has long
        // done. Measured without it, those compilations are the first seconds' tail: p99 7-8 ms
        // against 4.1-4.6 ms after a 5 s warm-up, on the same daemon and sockets (~1,700 series).
        WaitForQuietInterval(load, daemon, interval, cancellation);
        RunWrk(load, Math.Min(wrkSeconds, (int)WarmUpDuration.TotalSeconds), threads: 2, []);

        WaitForQuietInterval(load, daemon, interval, cancellation);
        var wrkResult = RunWrk(load, wrkSeconds, threads: 2, []);
        if (wrkResult.Problems.Length > 0)
        {
            problems.Add($"wrk: {wrkResult.Problems}");
        }

        // The same again with the client off the daemon's CPU (a Prometheus server scrapes from
        // another host): the daemon pinned to CPU 0, a one-thread wrk to CPU 1. On a 2-core machine
        // the run above has wrk's two threads competing with the daemon for both cores, which
        // is most of its tail. Reported next to it (a note), not instead of it.
        var pinned = MeasurePinned(load, daemon, interval, wrkSeconds, cancellation);
        if (pinned is not null)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"wrk pinned (daemon on CPU 0, wrk -t1 on CPU 1, next interval): p50 {pinned.P50Ms:0.00} ms, p99 {pinned.P99Ms:0.00} ms, {pinned.RequestsPerSecond:0} requests/s; unpinned above: p50 {wrkResult.P50Ms:0.00} ms, p99 {wrkResult.P99Ms:0.00} ms, {wrkResult.RequestsPerSecond:0} requests/s"));
            if (pinned.Problems.Length > 0)
            {
                problems.Add($"wrk pinned: {pinned.Problems}");
            }
        }

        // As Prometheus scrapes: it asks for gzip (Accept-Encoding: gzip), which the daemon
        // compresses once per collection; the same wrk as above otherwise, between the next two
        // samples. Reported next to the uncompressed run (a note), not instead of it.
        WaitForQuietInterval(load, daemon, interval, cancellation);
        var gzip = RunWrk(load, wrkSeconds, threads: 2, ["-H", "Accept-Encoding: gzip"]);
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"wrk with Accept-Encoding: gzip (as Prometheus asks), next interval: p50 {gzip.P50Ms:0.00} ms, p99 {gzip.P99Ms:0.00} ms, {gzip.RequestsPerSecond:0} requests/s"));
        if (gzip.Problems.Length > 0)
        {
            problems.Add($"wrk gzip: {gzip.Problems}");
        }

        // Either rule's warning that it stretched the interval: a slow sample or one over the CPU budget.
        var warnings = daemon.Output.Count(l => l.Contains(SlowSampleEvent, StringComparison.Ordinal) || l.Contains(OverCpuBudgetEvent, StringComparison.Ordinal));
        var intervalAfter = EffectiveInterval(daemon);
        var unexpected = daemon.Output.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"daemon: pid {daemon.Pid}, {ScrapedProcess.Series(body)} series, its sample {sampleSeconds * 1000:0.0} ms for {sockets:0} sockets; interval in effect {interval.TotalSeconds:0.#} s during the CPU window and wrk, {intervalAfter.TotalSeconds:0.#} s at the end; {warnings} warnings that the interval stretched (slow samples or the CPU budget); wrk made {wrkResult.Requests} requests in {wrkSeconds} s between two samples"));
        foreach (var line in unexpected)
        {
            notes.Add("daemon log: " + line);
        }

        return new DaemonResult(Statistics.Median(scrapes), ScrapedProcess.Series(body), wrkResult, rss, peak, cpuShare, window, sampleSeconds, sockets, warnings, windowInterval);
    }

    // The daemon's CPU share over whole intervals: from the end of one sample to the end of the
    // Nth after it, so the window holds exactly N samples and N intervals however the interval
    // in effect varies (the CPU budget sets it from each sample's cost: ~30-70 s at 1M). At
    // least 60 s and 3 samples (at most 4 minutes); for the TIME_WAIT mix what fits in one
    // TIME_WAIT burst, at least 1 sample. Nothing scrapes the daemon during the window but the
    // few polls at its end (answered from its response cache but for one a second). Returns the
    // share, the window and the mean interval in it.
    private static (double Share, TimeSpan Window, TimeSpan Interval) MeasureCpuWindow(ScrapedProcess daemon, SocketLoad load, List<string> notes, CancellationToken cancellation)
    {
        var interval = EffectiveInterval(daemon);
        var timeWait = load.Plan.TimeWait > 0;
        var bound = timeWait ? SocketLoad.TimeWaitWindow - TimeSpan.FromSeconds(5) : TimeSpan.FromMinutes(4);
        var samples = timeWait
            ? (int)Math.Max(1, Math.Floor((bound - interval) / interval))
            : (int)Math.Clamp(Math.Ceiling(6 * Interval / interval), Math.Min(3, Math.Max(1, Math.Floor(bound / interval))), Math.Max(1, Math.Floor(bound / interval)));
        PeersBenchmark.Progress($"exporter daemon: interval in effect {interval.TotalSeconds:0.#} s, CPU window over {samples} samples (~{(samples * interval).TotalSeconds:0} s)");
        load.Ensure(timeWait ? bound : (samples + 1) * interval + TimeSpan.FromSeconds(5), cancellation);

        var first = WaitForNextSample(daemon, interval, cancellation);
        var cpuBefore = ProcessUsage.CpuSeconds(daemon.Pid);
        var windowClock = Stopwatch.StartNew();
        // Quiet until shortly before the last sample is due, then poll for its end.
        Sleep(TimeSpan.FromTicks(Math.Max(0, (samples * interval - TimeSpan.FromSeconds(3)).Ticks)), cancellation);
        var limit = 2 * samples * interval + TimeSpan.FromSeconds(30);
        var seen = first;
        while ((seen = ScrapedProcess.Value(daemon.Scrape().Body, "tcpstate_samples_total")) < first + samples && windowClock.Elapsed < limit)
        {
            Sleep(TimeSpan.FromMilliseconds(500), cancellation);
        }

        var cpu = ProcessUsage.CpuSeconds(daemon.Pid) - cpuBefore;
        var window = windowClock.Elapsed;
        var taken = (int)(seen - first);
        var intervalAtEnd = EffectiveInterval(daemon);
        var mean = taken > 0 ? window / taken : window;
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"daemon CPU window: {cpu:0.00} s of CPU in {window.TotalSeconds:0.0} s over {taken} samples (mean interval {mean.TotalSeconds:0.0} s; tcpstate_sample_interval_seconds {interval.TotalSeconds:0.#} s at the start, {intervalAtEnd.TotalSeconds:0.#} s at the end): {cpu / window.TotalSeconds * 100:0.00} % of a core"));
        return (cpu / window.TotalSeconds, window, mean);
    }

    // wrk -t1 on CPU 1 against the daemon's threads on CPU 0, between the next two samples; the
    // daemon's affinity is restored afterwards. Null on a single-CPU machine.
    private static WrkResult? MeasurePinned(SocketLoad load, ScrapedProcess daemon, TimeSpan interval, int wrkSeconds, CancellationToken cancellation)
    {
        if (Environment.ProcessorCount < 2)
        {
            return null;
        }

        var pid = daemon.Pid.ToString(CultureInfo.InvariantCulture);
        WaitForQuietInterval(load, daemon, interval, cancellation);
        ProcessRunner.Run("taskset", ["-a", "-p", "-c", "0", pid], TimeSpan.FromSeconds(10)).EnsureSuccess();
        try
        {
            return RunWrk(load, wrkSeconds, threads: 1, [], pinnedTo: "1");
        }
        finally
        {
            ProcessRunner.Run("taskset", ["-a", "-p", "-c", $"0-{Environment.ProcessorCount - 1}", pid], TimeSpan.FromSeconds(10));
        }
    }

    // wrk at WrkConnections against /metrics from inside the load's namespace, optionally pinned to a CPU.
    private static WrkResult RunWrk(SocketLoad load, int seconds, int threads, string[] extra, string? pinnedTo = null)
    {
        string[] wrk = ["wrk", $"-t{threads}", $"-c{WrkConnections}", $"-d{seconds}s", "--timeout", "2s", "--latency", .. extra, $"http://127.0.0.1:{PeersBenchmark.ExporterPort}/metrics"];
        string[] command = pinnedTo is null ? wrk : ["taskset", "-c", pinnedTo, .. wrk];
        return WrkResult.Parse(load.Namespace.Exec(WrkDuration + TimeSpan.FromSeconds(30), command[0], command[1..]).EnsureSuccess().StandardOutput);
    }

    // Waits for the next sample to end, with the load held for one more interval: what follows runs
    // between two samples, without a sample's CPU in its numbers.
    private static void WaitForQuietInterval(SocketLoad load, ScrapedProcess daemon, TimeSpan interval, CancellationToken cancellation)
    {
        load.Ensure(interval + TimeSpan.FromSeconds(5), cancellation);
        WaitForNextSample(daemon, interval, cancellation);
    }

    // tcpstate_sample_interval_seconds: the configured 10 s, or longer after slow or costly samples.
    private static TimeSpan EffectiveInterval(ScrapedProcess daemon) =>
        ScrapedProcess.Value(daemon.Scrape().Body, "tcpstate_sample_interval_seconds") is var seconds && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Interval;

    // Polls tcpstate_samples_total until it moves on (a new sample invalidates the response
    // cache); returns the count it moved on to.
    private static double WaitForNextSample(ScrapedProcess daemon, TimeSpan interval, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var current = ScrapedProcess.Value(daemon.Scrape().Body, "tcpstate_samples_total");
        var now = current;
        while ((now = ScrapedProcess.Value(daemon.Scrape().Body, "tcpstate_samples_total")) <= current && clock.Elapsed < interval * 2)
        {
            cancellation.ThrowIfCancellationRequested();
            Thread.Sleep(100);
        }

        return now;
    }

    private static void Sleep(TimeSpan duration, CancellationToken cancellation)
    {
        if (cancellation.WaitHandle.WaitOne(duration))
        {
            cancellation.ThrowIfCancellationRequested();
        }
    }
}
