using System.Diagnostics;
using TcpState.Core;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// Splits a steady-state sample into its phases, so a missed target can be traced to the part
/// that causes it (the kernel's dump, the sampler's counting, or attribution) without a profiler.
/// </summary>
internal static class PhaseProfiler
{
    private const int DumpRepetitions = 5;
    private const int SsRepetitions = 3;

    public static PhaseBreakdown Measure(NetworkNamespace networkNamespace, ISocketTableSource source, ISocketOwnerLookup owners, CancellationToken cancellation)
    {
        var dump = new List<double>();
        var sink = new CountingSink();
        var cpuBefore = ThreadCpuTime.Now();
        for (var i = 0; i < DumpRepetitions; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            source.DumpListeners(sink);
            source.Dump(sink);
            dump.Add(clock.Elapsed.TotalMilliseconds);
        }

        // Summed over all repetitions: thread CPU time is accounted in scheduler ticks (a few ms), too coarse for one dump.
        var cpuAfter = ThreadCpuTime.Now();
        var kernelShare = ThreadCpuTime.KernelShare(cpuBefore, cpuAfter);

        var (lookup, id) = ReplayLookups(source, owners, cancellation);
        return new PhaseBreakdown(
            TimeSpan.FromMilliseconds(Statistics.Median(dump)),
            kernelShare,
            TimeSs(networkNamespace, "-tan", cancellation),
            TimeSs(networkNamespace, "-tan6", cancellation),
            lookup,
            id);
    }

    // The two lookups the sampler makes for every socket with an inode while the dump streams
    // past, timed apart from the dump: inode -> process (a dictionary as large as the table) and
    // process -> the sample's owner id (a dictionary keyed by name, so a string hash per socket).
    private static (double LookupNanoseconds, double IdNanoseconds) ReplayLookups(ISocketTableSource source, ISocketOwnerLookup owners, CancellationToken cancellation)
    {
        var collector = new InodeCollector();
        source.Dump(collector);
        var inodes = collector.Inodes;
        var found = new SocketOwner?[inodes.Count];
        var table = new OwnerTable(withPid: false);
        var lookup = new List<double>();
        var id = new List<double>();
        for (var repetition = 0; repetition < DumpRepetitions; repetition++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < inodes.Count; i++)
            {
                owners.TryGetOwner(inodes[i], out found[i]);
            }

            lookup.Add(clock.Elapsed.TotalMilliseconds);
            table.Clear();
            clock.Restart();
            var checksum = 0;
            foreach (var owner in found)
            {
                if (owner is not null)
                {
                    checksum += table.IdOf(owner);
                }
            }

            id.Add(clock.Elapsed.TotalMilliseconds);
            GC.KeepAlive(checksum);
        }

        // Per socket in nanoseconds, as a double: a TimeSpan would round these to its 100 ns tick.
        var perSocket = Math.Max(inodes.Count, 1);
        return (Statistics.Median(lookup) * 1e6 / perSocket, Statistics.Median(id) * 1e6 / perSocket);
    }

    private static TimeSpan TimeSs(NetworkNamespace networkNamespace, string options, CancellationToken cancellation)
    {
        var times = new List<double>();
        for (var i = 0; i < SsRepetitions; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            networkNamespace.Exec(SsTimer.Cap, "/bin/sh", "-c", $"exec {SystemTools.Ss} {options} > /dev/null").EnsureSuccess();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return TimeSpan.FromMilliseconds(Statistics.Median(times));
    }
}
