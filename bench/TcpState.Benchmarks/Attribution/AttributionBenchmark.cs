using System.Diagnostics;
using System.Globalization;
using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// Process attribution cost per sample, cold, steady and after churn, against 'ss -tanp' on the
/// same sockets: per size, a fresh namespace filled by SocketHolder processes on loopback.
/// </summary>
internal sealed class AttributionBenchmark : IBenchmarkMode
{
    /// <summary>Steady-state samples per size; their medians are reported.</summary>
    public const int SteadySamples = 15;

    /// <summary>'ss -tanp' runs per size; their median is reported.</summary>
    public const int SsRuns = 3;

    /// <summary>The target: steady state at least this many times faster than 'ss -tanp'...</summary>
    public const double TargetRatio = 20;

    /// <summary>...and at most this long (stated for 100k sockets; smaller sizes must meet it too).</summary>
    public static readonly TimeSpan TargetSteady = TimeSpan.FromMilliseconds(10);

    // How far 'ss -tanH' may be from the size asked for: the orphaned FIN_WAIT2 halves of the
    // CLOSE_WAIT pairs expire after tcp_fin_timeout, and an odd size cannot be made of pairs.
    private const double CountTolerance = 0.03;

    // The exporter's defaults (--metrics.max-port-series, --stuck.*), so the benchmarked sampler
    // does the work the exporter does.
    private const int MaxPortSeries = 1000;
    private static readonly TimeSpan StuckThreshold = TimeSpan.FromMinutes(5);

    // Sizes are bounded so that a typo cannot ask for a million sockets: 200k already needs 17
    // holders, ~100k client ports over 17 destination ports and several GiB of holder memory.
    private const int MinSize = 1_000;
    private const int MaxSize = 200_000;
    private static readonly int[] DefaultSizes = [10_000, 100_000];

    // Holders exit by themselves after this even if the benchmark is SIGKILLed and cannot stop them.
    private static readonly TimeSpan HolderTimeout = TimeSpan.FromMinutes(30);

    private static readonly TimeProvider Time = TimeProvider.System;

    public string Name => "attribution";

    public string Usage => "attribution [SOCKETS...]   process-attribution cost per sample vs 'ss -tanp' (default: 10000 100000)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var sizes = ParseSizes(arguments);
        if (!Environment.IsPrivilegedProcess)
        {
            throw new UsageException("must run as root: it creates network namespaces (sudo bench/attribution.sh)");
        }

        var machine = MachineInfo.Describe();
        Progress("JIT warm-up on a small namespace (not reported)");
        WarmUp(cancellation);

        var outcomes = new List<SizeOutcome>();
        foreach (var size in sizes)
        {
            cancellation.ThrowIfCancellationRequested();
            Progress($"size {size}");
            try
            {
                outcomes.Add(new SizeOutcome(size, Measure(size, cancellation), null));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The namespace and holders are gone (using/finally); report it and go on with the next size.
                Console.Error.WriteLine(e);
                outcomes.Add(new SizeOutcome(size, null, e.Message));
            }
        }

        Console.Out.Write(AttributionReport.Format(machine, outcomes));
        return outcomes.All(o => o.Result is { Problems.Count: 0 }) ? 0 : 1;
    }

    private static SizeResult Measure(int size, CancellationToken cancellation)
    {
        var plans = HolderPlan.ForSize(size);
        var notes = new List<string>();
        var problems = new List<string>();
        var processName = SocketHolderProcess.ExpectedProcessName;

        using var networkNamespace = new NetworkNamespace();
        Progress($"size {size}: namespace {networkNamespace.Name} (if this run is SIGKILLed: ip netns delete {networkNamespace.Name})");
        // As in the live tests: no TIME_WAIT reuse, so the namespace holds exactly what the holders built.
        networkNamespace.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
        using var fleet = new HolderFleet(networkNamespace, HolderTimeout);
        var setup = Stopwatch.StartNew();
        foreach (var plan in plans)
        {
            cancellation.ThrowIfCancellationRequested();
            fleet.Start(plan);
        }

        fleet.VerifyHeld();
        var counted = SsOutput.CaptureAll(networkNamespace).Sockets.Count;
        if (Math.Abs(counted - size) > size * CountTolerance)
        {
            throw new InvalidOperationException($"ss -tanH counts {counted} sockets in the namespace, {size} were asked for (planned {plans.Sum(p => p.Sockets)})");
        }

        notes.Add($"setup: {plans.Count} holders of {plans.Min(p => p.Sockets)}-{plans.Max(p => p.Sockets)} sockets ({plans.Max(p => p.HeldSockets)} fds at most) built in {setup.Elapsed.TotalSeconds:0} s; ss -tanH counts {counted}; {plans.Sum(p => p.CloseWaitPairs)} CLOSE_WAIT; {MachineInfo.HostProcesses()} processes on the host");

        // The netlink socket must be created inside the namespace (it keeps it for life); /proc is
        // the host's, as for the exporter.
        using var reader = networkNamespace.RunInside(InetDiagReader.Open);
        var owners = new ProcessSocketMap("/proc", ProcessNameSource.Comm, Time);
        var sampler = new SocketSampler(reader, [], MaxPortSeries, Time, owners,
            new StuckSocketTracker([StateLabel.CloseWait], StuckThreshold, Time));

        cancellation.ThrowIfCancellationRequested();
        var cold = sampler.Sample();
        var coldScans = owners.ProcessScans;

        // The same sampler without attribution, on its own netlink socket, sampled in alternation
        // with the measured one: AttributionDuration only times the end of a sample (resolving
        // unknown inodes), while the per-socket owner lookups happen during the dump; the paired
        // difference catches both. Alternating the order cancels drift and who-goes-first effects.
        using var bareReader = networkNamespace.RunInside(InetDiagReader.Open);
        var bare = new SocketSampler(bareReader, [], MaxPortSeries, Time, owners: null,
            new StuckSocketTracker([StateLabel.CloseWait], StuckThreshold, Time));
        bare.Sample(); // sizes its tables, as the cold sample did for the measured sampler

        var steady = new List<SocketSnapshot>(SteadySamples);
        var withoutAttribution = new List<double>(SteadySamples);
        var overhead = new List<double>(SteadySamples);
        var allocated = new List<double>(SteadySamples);
        var walksBefore = owners.Walks;
        var cpu = (User: TimeSpan.Zero, System: TimeSpan.Zero);
        for (var i = 0; i < SteadySamples; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var bareFirst = i % 2 == 1;
            var bareDuration = bareFirst ? bare.Sample().Duration : TimeSpan.Zero;
            var cpuBefore = ThreadCpuTime.Now();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var snapshot = sampler.Sample();
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            var cpuAfter = ThreadCpuTime.Now();
            cpu = (cpu.User + cpuAfter.User - cpuBefore.User, cpu.System + cpuAfter.System - cpuBefore.System);
            if (!bareFirst)
            {
                bareDuration = bare.Sample().Duration;
            }

            steady.Add(snapshot);
            withoutAttribution.Add(bareDuration.TotalMilliseconds);
            overhead.Add((snapshot.Duration - bareDuration).TotalMilliseconds);
        }

        var kernelShare = ThreadCpuTime.KernelShare((TimeSpan.Zero, TimeSpan.Zero), cpu);
        notes.Add($"cold sample: {cold.TotalSockets} sockets, {coldScans} processes' fds read; steady samples: {owners.Walks - walksBefore} /proc walks in {SteadySamples} samples");

        Progress($"size {size}: phase profile");
        var phases = PhaseProfiler.Measure(networkNamespace, reader, owners, cancellation);
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"profile: steady samples spend {kernelShare * 100:0}% of their CPU time in the kernel; the netlink dumps alone (into a counting sink) take {phases.DumpOnly.TotalMilliseconds:0.0} ms, {phases.DumpOnlyKernelShare * 100:0}% of it in the kernel"));
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"profile: per socket, inode -> process lookup {phases.InPlaceLookupNanoseconds:0} ns during a dump ({phases.OwnerLookupNanoseconds:0} ns replayed back to back), "
            + $"process -> owner id {phases.InPlaceIdNanoseconds:0} ns during a dump ({phases.OwnerIdNanoseconds:0} ns replayed)"));
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"profile: ss -tan (no -p) {phases.SsWithoutProcesses.TotalMilliseconds:0.0} ms, ss -tan6 (walks the table, finds no IPv6 socket) {phases.SsIpv6Only.TotalMilliseconds:0.0} ms"));

        Progress($"size {size}: owner lookups at once against trailing by {SocketTableAggregator.DefaultLookahead}");
        var lookahead = LookaheadComparison.Measure(reader, owners, cancellation);
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"lookahead: a sample's aggregation with attribution minus without, owner lookups at once {lookahead.ImmediateMs:0.00} ms, trailing by {SocketTableAggregator.DefaultLookahead} sockets and prefetched {lookahead.PipelinedMs:0.00} ms (medians)"));
        if (!lookahead.Identical)
        {
            problems.Add("lookahead: the samples with owner lookups at once and trailing differ");
        }

        Progress($"size {size}: ss -tanp x{SsRuns}");
        var ss = SsTimer.Measure(networkNamespace, SsRuns, cancellation);

        Progress($"size {size}: attribution check against ss -tanp");
        using var checkReader = networkNamespace.RunInside(InetDiagReader.Open);
        // A second sampler with the pid label on: totals per holder process, which the exporter's
        // default labels (process name only) cannot show. Its own cold walk is not timed.
        var perPidSampler = new SocketSampler(checkReader, [], MaxPortSeries, Time,
            new ProcessSocketMap("/proc", ProcessNameSource.Comm, Time), pidLabel: true);
        var measuredNow = sampler.Sample();
        var perPidNow = perPidSampler.Sample();
        try
        {
            var users = SsProcessCounts.Parse(networkNamespace.Exec(SsTimer.Cap, SystemTools.Ss, "-tanpH").EnsureSuccess().StandardOutput);
            problems.AddRange(AttributionCheck.Compare(measuredNow, perPidNow, users, fleet.Holders, processName));
            notes.Add($"check: ss -tanp shows {users.Sockets} sockets, {users.ForName(processName).Values.Sum()} of them with a {processName} user; exporter: {measuredNow.PortGroups.Where(g => g.Process == processName).Sum(g => g.Count)} attributed to {processName}, {measuredNow.UnattributedSockets} unattributed");
        }
        catch (TimeoutException)
        {
            problems.Add($"unchecked: ss -tanp did not finish within {SsTimer.Cap.TotalSeconds:0} s");
        }

        Progress($"size {size}: churn (replace one holder)");
        var oldPid = fleet.Holders[0].Process.Pid;
        var scansBefore = owners.ProcessScans;
        var rescansBefore = owners.FullRescans;
        var replacement = fleet.Replace(0, fleet.Holders[0].Plan.OnPort(HolderPlan.FirstPort + plans.Count));
        cancellation.ThrowIfCancellationRequested();
        var churn = sampler.Sample();
        problems.AddRange(AttributionCheck.CompareAfterChurn(churn, perPidSampler.Sample(), replacement, oldPid, processName));
        notes.Add($"churn: pid {oldPid} stopped, pid {replacement.Process.Pid} started with {replacement.Plan.HeldSockets} sockets; the next sample read {owners.ProcessScans - scansBefore} processes' fds, {owners.FullRescans - rescansBefore} full rescans");
        notes.Add($"ss: 'ip netns exec NS sh -c true' alone takes {ss.StartOverhead.TotalMilliseconds:0.0} ms (included in the ss -tanp time)");

        return new SizeResult(
            size,
            counted,
            plans.Count,
            cold.Duration,
            cold.AttributionDuration,
            MedianOf(steady, s => s.Duration),
            MedianOf(steady, s => s.AttributionDuration),
            TimeSpan.FromMilliseconds(Statistics.Median(withoutAttribution)),
            TimeSpan.FromMilliseconds(Statistics.Median(overhead)),
            (long)Statistics.Median(allocated),
            kernelShare,
            churn.AttributionDuration,
            churn.Duration,
            ss,
            phases,
            problems,
            notes);
    }

    // A tiny namespace sampled many times, so that neither size's cold sample pays for compiling
    // the sampler and the 10k row is not penalised for running first. The churn path (a new
    // process to read) is exercised as well.
    private static void WarmUp(CancellationToken cancellation)
    {
        using var networkNamespace = new NetworkNamespace();
        using var fleet = new HolderFleet(networkNamespace, TimeSpan.FromMinutes(5));
        var plan = new HolderPlan(HolderPlan.FirstPort, 200, 10);
        fleet.Start(plan);
        using var reader = networkNamespace.RunInside(InetDiagReader.Open);
        var sampler = new SocketSampler(reader, [], MaxPortSeries, Time,
            new ProcessSocketMap("/proc", ProcessNameSource.Comm, Time), new StuckSocketTracker([StateLabel.CloseWait], StuckThreshold, Time));
        for (var round = 0; round < 2; round++)
        {
            if (round == 1)
            {
                fleet.Replace(0, plan.OnPort(HolderPlan.FirstPort + 1));
            }

            // Sleeps let tiered compilation promote the hot methods (its call counting starts after a 100 ms quiet period).
            for (var i = 0; i < 40; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                sampler.Sample();
                Thread.Sleep(10);
            }
        }
    }

    private static TimeSpan MedianOf(List<SocketSnapshot> samples, Func<SocketSnapshot, TimeSpan> selector) =>
        TimeSpan.FromTicks((long)Statistics.Median(samples.Select(s => (double)selector(s).Ticks)));

    private static List<int> ParseSizes(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
        {
            return [.. DefaultSizes];
        }

        var sizes = new List<int>();
        foreach (var argument in arguments)
        {
            if (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < MinSize || size > MaxSize)
            {
                throw new UsageException($"attribution: '{argument}' is not a socket count in {MinSize}..{MaxSize}");
            }

            sizes.Add(size);
        }

        return sizes;
    }

    private static void Progress(string message) =>
        Console.Error.WriteLine($"# {DateTime.Now:HH:mm:ss} {message}");
}
