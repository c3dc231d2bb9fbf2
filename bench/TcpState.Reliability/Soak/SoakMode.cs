using System.Diagnostics;
using System.Globalization;
using System.Text;
using TcpState.Core;
using TcpState.Tests.Fuzz;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability.Soak;

/// <summary>
/// <c>soak</c>: the real daemon in-process (<see cref="InProcessExporter"/>) sampling a namespace
/// without pause while <see cref="ChurnDriver"/> starts and stops processes and opens and closes
/// connections, in phases. During the churn, every scrape must expose exactly the groups of the
/// latest sample (no series of a group that is gone, none missing) and pass promtool now and then.
/// After each phase the churn stops, the kernel's leftovers (TIME_WAIT, FIN_WAIT2) drain, and the
/// process must be back at its baseline: the same series and tracked sockets as before any churn,
/// and the open fds and managed heap (within <see cref="HeapTolerance"/>) of the reference taken
/// after a first, unjudged churn phase; the heap must also not grow from phase to phase.
/// </summary>
internal sealed class SoakMode : IReliabilityMode
{
    // After churn the heap may keep what the tables grew to (a Dictionary never shrinks): a few
    // hundred KiB at these sizes. More than 1 MiB above the reference, or more than 256 KiB of
    // growth from the first judged phase to the last, is a leak.
    private const long HeapTolerance = 1024 * 1024;

    private static readonly TimeSpan ScrapeEvery = TimeSpan.FromMilliseconds(350); // scrapes spaced as they were when the daemon cached responses for 300 ms whatever the sample (now: until the next sample, 1 s at most)
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(180);

    public string Name => "soak";

    public string Usage => "soak [--samples N] [--phases N] [--warmup-samples N] [--pace-ms N] [--holders N] [--holder-period-ms N] [--seed N] [--pid-label] [--census-statics] [--dump-dir DIR]   (as root; default 10000 judged samples in 3 phases after a 1000-sample warm-up churn, 5 ms apart, 4 churn holders replaced every 300 ms)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation) =>
        RunAsync(arguments, cancellation).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var reader = new ArgumentReader(arguments, new HashSet<string> { "--pid-label", "--census-statics" });
        var samples = reader.Number("--samples", 10_000, 1, 10_000_000);
        var pidLabel = reader.Flag("--pid-label");
        var censusStatics = reader.Flag("--census-statics");
        var phases = (int)reader.Number("--phases", 3, 1, 100);
        var warmupSamples = reader.Number("--warmup-samples", 1000, 1, 10_000_000);
        var pace = TimeSpan.FromMilliseconds(reader.Number("--pace-ms", 5, 0, 10_000));
        var holders = (int)reader.Number("--holders", 4, 1, 64);
        var holderPeriod = TimeSpan.FromMilliseconds(reader.Number("--holder-period-ms", 300, 0, 60_000));
        var seed = (int)reader.Number("--seed", 1, 0, int.MaxValue);
        var dumpDirectory = reader.Text("--dump-dir");
        reader.RejectUnknown();
        if (reader.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{reader.Positional[0]}'");
        }

        Console.WriteLine("tcpstate-exporter soak: the daemon in-process, sampling a namespace without pause while sockets and processes churn");
        Console.WriteLine($"machine: nproc {Environment.ProcessorCount}, kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, .NET {Environment.Version}");
        Console.WriteLine($"{samples:N0} judged churn samples in {phases} phase(s) after a {warmupSamples:N0}-sample warm-up churn, {pace.TotalMilliseconds:0} ms apart; {holders} churn holders, one replaced every {holderPeriod.TotalMilliseconds:0} ms; seed {seed}{(pidLabel ? "; --process.pid-label=true" : "")}");
        Console.WriteLine($"load average at the start: {LoadAverage.Now()}");

        using var ns = OwnTableNamespace.Create(out var table);
        Console.Error.WriteLine($"# namespace {ns.Name}");
        Console.WriteLine($"namespace: {table}");
        // The baseline must hold still: --fin-wait2 keeps both ends open (client FIN_WAIT2, server
        // CLOSE_WAIT, followed for its age), where --close-wait's orphaned client side would expire.
        using var stable = SocketHolderProcess.Start(ns, "--ipv4", "--timeout", "3600", "--listen", "8080", "--established", "8080:5", "--fin-wait2", "8080:3");
        using var stable6 = SocketHolderProcess.Start(ns, "--ipv6", "--timeout", "3600", "--listen", "8443", "--established", "8443:2");
        await using var exporter = await InProcessExporter.StartAsync(ns, pidLabel).ConfigureAwait(false);
        var holderPath = SocketHolderProcess.Command.Count == 1
            ? SocketHolderProcess.Command[0]
            : throw new InvalidOperationException("the SocketHolder apphost is missing next to the program");
        using var churn = new ChurnDriver(ns, holderPath, seed, holders, holderPeriod);
        var checker = new ScrapeChecker(exporter);

        // Warm-up without churn: JIT, the daemon's tables at their quiet size, the HTTP connection.
        Loop(exporter, checker, 500, pace, cancellation);

        // What the harness keeps between measurements is on the heap it measures: the censuses (the
        // reference's and the latest phase's) wait on disk (CensusFile). Taking them now also loads,
        // before anything is measured, the assemblies of the field types the census's reflection
        // reaches (two fds each).
        var censuses = Directory.CreateTempSubdirectory("tcpstate-soak-census-");
        var held = (Reference: Path.Combine(censuses.FullName, "reference"), Latest: Path.Combine(censuses.FullName, "latest"));
        CensusFile.Save(ObjectCensus.Take(exporter.StateRoots), held.Reference);
        CensusFile.Save(ObjectCensus.Take(exporter.StateRoots), held.Latest);
        var quiet = Measure(exporter);
        var baselineStates = exporter.Latest.StateCounts.ToArray();
        Console.WriteLine($"before any churn:  {quiet}");

        // A first churn phase that is not judged: what the runtime opens or sizes once, on first use
        // (handles, pools, table capacity), is in place before the reference is taken, so that the
        // judged phases compare like with like and growth from phase to phase means a leak.
        var plan = new List<(string Name, long Samples)> { ("warm-up churn", warmupSamples) };
        for (var phase = 1; phase <= phases; phase++) plan.Add(($"phase {phase}", samples / phases + (phase <= samples % phases ? 1 : 0)));
        var results = new List<(string Name, SoakMeasurement After, bool Drained)>();
        var staticsReference = Path.Combine(censuses.FullName, "statics-reference");
        var total = Stopwatch.StartNew();
        foreach (var (name, count) in plan)
        {
            var clock = Stopwatch.StartNew();
            churn.Start();
            try
            {
                Loop(exporter, checker, count, pace, cancellation);
            }
            finally
            {
                churn.Stop();
            }

            var churnTime = clock.Elapsed;
            clock.Restart();
            var drained = Drain(exporter, checker, baselineStates, quiet.Series, cancellation);
            var after = Measure(exporter);
            if (dumpDirectory is not null) HeapDump.Write(dumpDirectory, $"{results.Count}-{name.Replace(' ', '-')}");
            Console.WriteLine($"after {name + ":",-14} {after}");
            Console.WriteLine($"                   load average: {LoadAverage.Now()}");
            Console.WriteLine($"                   {count:N0} churn samples in {churnTime.TotalSeconds:0.0} s, drained in {clock.Elapsed.TotalSeconds:0.0} s{(drained ? "" : " (NOT back to the baseline table)")}; fds: {after.DescribeFds()}");
            var harnessRoots = (IEnumerable<(object Root, string Name)>)[(churn, "harness churn"), (checker, "harness checker"), (exporter, "harness exporter"), (results, "harness results")];
            if (results.Count == 0)
            {
                TakeReferenceCensus(exporter, held, censusStatics ? staticsReference : null, harnessRoots);
                results.Add((name, after, drained));
                continue;
            }

            ReportPhaseCensus(exporter, held, censusStatics ? staticsReference : null, harnessRoots, after, results[0].After);
            // Only the reference's list of open files is kept: a copy per phase would grow the heap.
            results.Add((name, after with { OpenFiles = [] }, drained));
        }

        var reference = results[0].After;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"churn: {churn.HoldersStarted:N0} holder processes started and stopped ({churn.HoldersFailed} could not start), {churn.ConnectionsOpened:N0} connections opened and closed ({churn.ConnectionsReset:N0} by reset)");
        report.AppendLine(CultureInfo.InvariantCulture, $"scrapes checked against the latest sample: {checker.Checked:N0} (series of tcpstate_port_sockets and tcpstate_listen_queue equal to the sample's groups), {checker.Mismatches} mismatched; promtool check metrics on {checker.Promtool:N0} of them, {checker.PromtoolFailures} refused; {checker.MaxPortSeries} tcpstate_port_sockets series at most");
        foreach (var problem in checker.Problems)
        {
            report.AppendLine("  " + problem);
        }

        var owners = exporter.Owners;
        report.AppendLine(CultureInfo.InvariantCulture, $"attribution: {owners.Walks:N0} /proc walks, {owners.FullRescans:N0} of them full rescans, {owners.ProcessScans:N0} process fd-table reads; processes visible in /proc now: {Directory.GetDirectories("/proc").Count(d => char.IsAsciiDigit(Path.GetFileName(d)[0]))}");
        report.AppendLine(CultureInfo.InvariantCulture, $"first churn's one-time growth (not judged): fds {quiet.OpenFds} -> {reference.OpenFds} ({quiet.DescribeFds()} -> {reference.DescribeFds()}), heap {Signed(reference.HeapBytes - quiet.HeapBytes)}");
        if (results.Count > 1)
        {
            // What the daemon's own objects gained from the reference to the end: the first place to
            // look when the heap grows (the harness's objects are not reachable from these roots).
            var (first, last) = (CensusFile.Load(held.Reference), CensusFile.Load(held.Latest));
            var growth = ObjectCensus.Growth(first, last, 12).ToList();
            report.AppendLine(CultureInfo.InvariantCulture, $"objects reachable from the daemon's services, reference -> end: {first.Values.Sum(v => v.Instances):N0} -> {last.Values.Sum(v => v.Instances):N0}{(growth.Count == 0 ? ", no type changed" : "; most changed:")}");
            foreach (var line in growth)
            {
                report.AppendLine("  " + line);
            }
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"total run time {total.Elapsed.TotalSeconds:0} s");
        censuses.Delete(recursive: true);
        var checks = new List<(bool Passed, string What)>
        {
            (checker.Mismatches == 0, "every scrape during the churn exposed exactly the latest sample's groups"),
            (checker.PromtoolFailures == 0, "every promtool check during the churn passed"),
        };
        foreach (var (name, after, drained) in results)
        {
            var gone = after.Series.Where(s => Stale(s, churn)).ToList();
            checks.Add((drained, $"{name}: the socket table drained back to the baseline's state counts"));
            checks.Add((after.Series.SetEquals(quiet.Series), $"{name}: exposed series equal to those before any churn ({after.Series.Count} vs {quiet.Series.Count}; {Difference(after.Series, quiet.Series)})"));
            checks.Add((gone.Count == 0, $"{name}: no series of a churn port or churn process remains ({gone.Count}{(gone.Count > 0 ? ": " + gone[0] : "")})"));
            checks.Add((after.TrackedSockets == quiet.TrackedSockets, $"{name}: tracked sockets back to the baseline ({after.TrackedSockets} vs {quiet.TrackedSockets})"));
            if (after == reference)
            {
                continue;
            }

            checks.Add((after.OpenFds == reference.OpenFds, $"{name}: open fds back to the reference ({after.OpenFds} vs {reference.OpenFds})"));
            checks.Add((after.HeapBytes <= reference.HeapBytes + HeapTolerance, $"{name}: managed heap within {HeapTolerance / 1024} KiB of the reference ({ProcessResources.Mib(after.HeapBytes)} vs {ProcessResources.Mib(reference.HeapBytes)}, {Signed(after.HeapBytes - reference.HeapBytes)})"));
        }

        if (results.Count > 2)
        {
            // The reference absorbs one-time growth; what still grows from the first judged phase to
            // the last grows with the churn, however slowly.
            var first = results[1].After.HeapBytes;
            var last = results[^1].After.HeapBytes;
            checks.Add((last - first <= HeapTolerance / 4, $"managed heap not growing from phase 1 to phase {results.Count - 1} ({Signed(last - first)}, at most +256 KiB)"));
        }

        foreach (var (passed, what) in checks)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{(passed ? "PASS" : "FAIL")} {what}");
        }

        Console.Write(report);
        return checks.All(c => c.Passed) ? 0 : 1;
    }

    private static void Loop(InProcessExporter exporter, ScrapeChecker checker, long count, TimeSpan pace, CancellationToken cancellation)
    {
        for (long i = 0; i < count; i++)
        {
            if (i % 256 == 0) cancellation.ThrowIfCancellationRequested();
            exporter.Sample();
            checker.MaybeCheck();
            if (pace > TimeSpan.Zero) Thread.Sleep(pace);
        }
    }

    // Samples until the table has its baseline state counts and the exposition its baseline series,
    // or the timeout: TIME_WAIT lasts 60 s on Linux, orphaned FIN_WAIT2 net.ipv4.tcp_fin_timeout.
    private static bool Drain(InProcessExporter exporter, ScrapeChecker checker, long[] states, IReadOnlySet<string> series, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < DrainTimeout)
        {
            cancellation.ThrowIfCancellationRequested();
            exporter.Sample();
            checker.MaybeCheck();
            if (exporter.Latest.StateCounts.SequenceEqual(states))
            {
                Thread.Sleep(ScrapeEvery); // past the scrape cache, so the next scrape is of this sample
                if (ExposedSeries(exporter.Scrape()).SetEquals(series)) return true;
            }

            Thread.Sleep(250);
        }

        return false;
    }

    // The reference: its census, and a second one in the place of the latest phase's. Censuses are
    // taken and compared in methods of their own, never in RunAsync: a local of an async method is
    // a field of its state machine and would keep the last census alive on the measured heap.
    private static void TakeReferenceCensus(InProcessExporter exporter, (string Reference, string Latest) held, string? staticsReference, IEnumerable<(object Root, string Name)> harnessRoots)
    {
        CensusFile.Save(ObjectCensus.Take(exporter.StateRoots), held.Reference);
        CensusFile.Save(ObjectCensus.Take(exporter.StateRoots), held.Latest);
        if (staticsReference is not null)
        {
            CensusFile.Save(ObjectCensus.Take([.. ObjectCensus.StaticRoots(), .. harnessRoots]), staticsReference);
        }
    }

    // Against the reference (the end of the warm-up churn): which files this phase opened, and
    // which of the daemon's objects it added. The first place to look when a check fails.
    private static void ReportPhaseCensus(InProcessExporter exporter, (string Reference, string Latest) held, string? staticsReference, IEnumerable<(object Root, string Name)> harnessRoots, SoakMeasurement after, SoakMeasurement reference)
    {
        var files = after.FilesChangedSince(reference).ToList();
        Console.WriteLine($"                   open files vs the reference: {(files.Count == 0 ? "the same" : string.Join(", ", files))}");
        var census = ObjectCensus.Take(exporter.StateRoots);
        var previous = CensusFile.Load(held.Latest);
        var grown = ObjectCensus.Growth(previous, census, 3).ToList();
        Console.WriteLine($"                   objects reachable from the daemon's services: {census.Values.Sum(v => v.Instances):N0} (previous phase {previous.Values.Sum(v => v.Instances):N0}){(grown.Count == 0 ? "" : "; most changed: " + string.Join("; ", grown))}");
        CensusFile.Save(census, held.Latest);
        if (staticsReference is not null)
        {
            // Diagnosis of heap growth the daemon's services do not reach: everything reachable
            // from the statics of all loaded types and from the harness's own objects, against
            // the same census at the reference.
            var everything = ObjectCensus.Take([.. ObjectCensus.StaticRoots(), .. harnessRoots]);
            Console.WriteLine($"                   everything reachable (statics, harness): {everything.Values.Sum(v => v.Instances):N0}; most changed since the reference: {string.Join("; ", ObjectCensus.Growth(CensusFile.Load(staticsReference), everything, 8))}");
        }
    }

    private static SoakMeasurement Measure(InProcessExporter exporter)
    {
        exporter.Sample();
        Thread.Sleep(ScrapeEvery);
        var text = exporter.Scrape();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var process = ProcessResources.Of(Environment.ProcessId);
        var latest = exporter.Latest;
        var generations = GC.GetGCMemoryInfo(GCKind.FullBlocking).GenerationInfo.ToArray().Select(g => g.SizeAfterBytes).ToArray();
        return new SoakMeasurement(heap, process.RssBytes, process.OpenFds, process.Threads, latest.TotalSockets, latest.TrackedSockets, ExposedSeries(text), generations, ProcessResources.FdKinds(Environment.ProcessId), ProcessResources.OpenFiles(Environment.ProcessId));
    }

    /// <summary>Every series of a family labelled by port or process, as name{label=value,...} in label order.</summary>
    public static HashSet<string> ExposedSeries(byte[] exposition)
    {
        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var family in StrictExpositionParser.Parse(exposition, openMetrics: false))
        {
            foreach (var sample in family.Samples)
            {
                if (sample.Labels.Any(l => l.Name is "port" or "process"))
                {
                    series.Add(sample.Name + "{" + string.Join(",", sample.Labels.Select(l => $"{l.Name}={FuzzFormat.Literal(l.Value)}")) + "}");
                }
            }
        }

        return series;
    }

    private static bool Stale(string series, ChurnDriver churn)
    {
        for (var port = ChurnDriver.FirstPort; port < ChurnDriver.FirstPort + ChurnDriver.Ports; port++)
        {
            if (series.Contains($"port=\"{port}\"", StringComparison.Ordinal) || series.Contains($"port=\"{port + 1000}\"", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return churn.Names.Any(name => series.Contains("process=" + FuzzFormat.Literal(HostileText.DecodeLikeProcessSocketMap(name.AsSpan(0, Math.Min(name.Length, HostileText.CommLength)))), StringComparison.Ordinal));
    }

    private static string Difference(IReadOnlySet<string> after, IReadOnlySet<string> baseline)
    {
        var extra = after.Except(baseline).ToList();
        var missing = baseline.Except(after).ToList();
        return extra.Count == 0 && missing.Count == 0
            ? "identical"
            : $"{extra.Count} extra{(extra.Count > 0 ? " e.g. " + extra[0] : "")}, {missing.Count} missing{(missing.Count > 0 ? " e.g. " + missing[0] : "")}";
    }

    private static string Signed(long bytes) => (bytes >= 0 ? "+" : "-") + (Math.Abs(bytes) / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " KiB";
}
