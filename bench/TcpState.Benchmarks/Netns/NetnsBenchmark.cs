using System.Diagnostics;
using System.Globalization;
using TcpState.Benchmarks.Attribution;

namespace TcpState.Benchmarks.Netns;

/// <summary>
/// The cost trap of sampling network namespaces: a namespace shares the host's TCP established hash
/// unless net.ipv4.tcp_child_ehash_entries was set when it was created, and a sock_diag dump made
/// from inside it then walks the whole shared table. Per size N, a namespace BIG holds N sockets;
/// two small namespaces hold the same ~1,000 sockets, SMALL_SHARED on the shared table and
/// SMALL_OWN on a table of its own; full dumps of each are timed in interleaved rounds.
/// </summary>
internal sealed class NetnsBenchmark : IBenchmarkMode
{
    /// <summary>Namespace labels, in the order of the report.</summary>
    public const string SmallShared = "SMALL_SHARED";
    public const string SmallOwn = "SMALL_OWN";
    public const string Big = "BIG";

    /// <summary>Namespace counts of the extrapolation: what K namespaces cost per sample.</summary>
    public static readonly int[] NamespaceCounts = [10, 50];

    /// <summary>The exporter's default sample interval, for the extrapolation's share of a core.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);

    private const int DefaultSmall = 1_000;
    private const int DefaultRuns = 15;
    private const int DefaultChildBuckets = 4096;
    private const int WarmUpDumps = 5;

    // Bounded as in the attribution mode: 200k sockets already need 17 holders and several GiB.
    private const int MinSize = 1_000;
    private const int MaxSize = 200_000;
    private static readonly int[] DefaultSizes = [10_000, 100_000];

    // Holders exit by themselves after this even if the benchmark is SIGKILLed and cannot stop them.
    private static readonly TimeSpan HolderTimeout = TimeSpan.FromMinutes(30);

    public string Name => "netns";

    public string Usage => "netns [--small N] [--runs N] [--child-ehash N] [SOCKETS...]   dump cost of a small namespace on the host's shared TCP table vs its own (default: 10000 100000 sockets in BIG, 1000 in the small ones, 15 runs, 4096 buckets)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var (sizes, small, runs, childBuckets) = ParseArguments(arguments);
        if (!Environment.IsPrivilegedProcess)
        {
            throw new UsageException("must run as root: it creates network namespaces and sets a host sysctl (sudo bench/netns.sh)");
        }

        var machine = MachineInfo.Describe();
        var supported = ChildEhash.Supported;
        var hostChild = supported ? ChildEhash.ReadHost() : 0;
        var setup = new List<string>
        {
            $"host: net.ipv4.tcp_ehash_entries {ChildEhash.HostBuckets()}; "
                + (supported
                    ? $"{ChildEhash.Sysctl} {hostChild} at the start (restored after each namespace is created)"
                    : $"{ChildEhash.Sysctl} does not exist on this kernel (it needs Linux 6.1 or later): every namespace shares the host's table, SMALL_OWN cannot be made"),
        };
        if (supported && hostChild != 0)
        {
            setup.Add($"note: the host's {ChildEhash.Sysctl} was {hostChild}, not 0; BIG and SMALL_SHARED are created with it set to 0 for the duration of 'ip netns add'");
        }

        Progress("small namespaces");
        using var shared = MeasuredNamespace.Create(SmallShared, 0, small, HolderTimeout, cancellation);
        using var own = supported ? MeasuredNamespace.Create(SmallOwn, childBuckets, small, HolderTimeout, cancellation) : null;
        setup.Add(Describe(shared));
        if (own is not null)
        {
            setup.Add(Describe(own));
        }

        var problems = new List<string>();
        if (shared.Buckets >= 0)
        {
            problems.Add($"{SmallShared} has a table of its own ({shared.Buckets} buckets): the comparison does not show the trap");
        }

        if (own is not null && own.Buckets <= 0)
        {
            problems.Add($"{SmallOwn} shares the host's table (tcp_ehash_entries {own.Buckets}): {ChildEhash.Sysctl}={childBuckets} did not take effect");
        }

        var columns = new List<ColumnResult>();
        foreach (var size in sizes)
        {
            cancellation.ThrowIfCancellationRequested();
            if (size == 0)
            {
                Progress("column without BIG: the small namespaces on the host's table as it is");
                columns.Add(MeasureColumn(0, null, shared, own, runs, cancellation));
                continue;
            }

            Progress($"BIG with {size} sockets");
            using var big = MeasuredNamespace.Create(Big, 0, size, HolderTimeout, cancellation);
            setup.Add(Describe(big));
            if (big.Buckets >= 0)
            {
                problems.Add($"{Big} has a table of its own ({big.Buckets} buckets): its sockets are not on the host's table");
            }

            columns.Add(MeasureColumn(size, big, shared, own, runs, cancellation));
        }

        problems.AddRange(columns.SelectMany(c => c.Problems));
        Console.Out.Write(NetnsReport.Format(machine, setup, small, runs, childBuckets, columns, problems));
        return problems.Count == 0 ? 0 : 1;
    }

    private static ColumnResult MeasureColumn(int bigSockets, MeasuredNamespace? big, MeasuredNamespace shared, MeasuredNamespace? own, int runs, CancellationToken cancellation)
    {
        var targets = new List<MeasuredNamespace> { shared };
        if (own is not null)
        {
            targets.Add(own);
        }

        if (big is not null)
        {
            targets.Add(big);
        }

        // Not timed: the first dumps compile the parser and fault in the kernel's and our buffers.
        foreach (var target in targets)
        {
            for (var i = 0; i < WarmUpDumps; i++)
            {
                target.Reader.Dump(new CountingSink());
            }
        }

        var wall = targets.ToDictionary(t => t.Label, _ => new List<double>(runs));
        var cpu = targets.ToDictionary(t => t.Label, _ => new List<double>(runs));
        var returned = targets.ToDictionary(t => t.Label, _ => 0L);
        var problems = new List<string>();
        var allocatedBefore = AllocatedTcpSockets();
        for (var round = 0; round < runs; round++)
        {
            // Every namespace once per round, the order rotated, so none always runs first or after the big one.
            for (var k = 0; k < targets.Count; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                var target = targets[(round + k) % targets.Count];
                var sink = new CountingSink();
                var cpuBefore = TcpState.Kernel.CpuClock.Thread() ?? throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
                var clock = Stopwatch.StartNew();
                target.Reader.Dump(sink);
                var elapsed = clock.Elapsed;
                var cpuAfter = TcpState.Kernel.CpuClock.Thread() ?? throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
                wall[target.Label].Add(elapsed.TotalMilliseconds);
                cpu[target.Label].Add((cpuAfter - cpuBefore).TotalMilliseconds);
                returned[target.Label] = sink.Sockets;
                if (sink.Sockets != target.Sockets && problems.Count < 5)
                {
                    problems.Add($"{target.Label} (BIG {bigSockets}): a dump returned {sink.Sockets} sockets, ss -tanH counted {target.Sockets}");
                }
            }
        }

        var allocatedAfter = AllocatedTcpSockets();
        foreach (var target in targets)
        {
            var now = target.CountWithSs();
            if (now != target.Sockets)
            {
                problems.Add($"{target.Label} (BIG {bigSockets}): ss -tanH counts {now} sockets after the dumps, {target.Sockets} before");
            }
        }

        var times = targets.ToDictionary(
            t => t.Label,
            t => new DumpTimes(Statistics.Median(wall[t.Label]), Statistics.Median(cpu[t.Label]), runs, returned[t.Label]));
        return new ColumnResult(bigSockets, big?.Sockets ?? 0, big?.Holders ?? 0, times, allocatedBefore, allocatedAfter, File.ReadAllText("/proc/loadavg").Split(' ')[0], problems);
    }

    // sockstat's 'alloc' counts the full TCP sockets of every namespace (its 'inuse' and 'tw' are
    // per namespace): the population of the shared table, apart from TIME_WAIT and request sockets
    // and apart from the sockets of namespaces with tables of their own.
    private static long AllocatedTcpSockets()
    {
        var line = File.ReadLines("/proc/net/sockstat").First(l => l.StartsWith("TCP:", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(fields, "alloc");
        return long.Parse(fields[index + 1], CultureInfo.InvariantCulture);
    }

    private static string Describe(MeasuredNamespace measured) =>
        $"{measured.Label}: {measured.Name}, {measured.Sockets:N0} sockets (ss -tanH) held by {measured.Holders} SocketHolder processes, "
        + (measured.Buckets < 0
            ? $"tcp_ehash_entries {measured.Buckets} (the host's table, shared)"
            : $"tcp_ehash_entries {measured.Buckets} (a table of its own)");

    private static (List<int> Sizes, int Small, int Runs, int ChildBuckets) ParseArguments(IReadOnlyList<string> arguments)
    {
        var sizes = new List<int> { 0 };
        var small = DefaultSmall;
        var runs = DefaultRuns;
        var childBuckets = DefaultChildBuckets;
        var given = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--small":
                    small = Number(arguments, ++i, "--small", 100, 20_000);
                    break;
                case "--runs":
                    runs = Number(arguments, ++i, "--runs", 3, 101);
                    break;
                case "--child-ehash":
                    childBuckets = Number(arguments, ++i, "--child-ehash", 128, 1 << 20);
                    break;
                default:
                    sizes.Add(Number(arguments, i, "SOCKETS", MinSize, MaxSize));
                    given = true;
                    break;
            }
        }

        if (!given)
        {
            sizes.AddRange(DefaultSizes);
        }

        return (sizes, small, runs, childBuckets);
    }

    private static int Number(IReadOnlyList<string> arguments, int index, string what, int min, int max)
    {
        if (index >= arguments.Count)
        {
            throw new UsageException($"netns: {what} needs a number");
        }

        return int.TryParse(arguments[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"netns: {what} '{arguments[index]}' is not a number in {min}..{max}");
    }

    private static void Progress(string message) =>
        Console.Error.WriteLine($"# {DateTime.Now:HH:mm:ss} {message}");
}
