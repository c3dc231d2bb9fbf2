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
        var counting = new CountingSink();
        var lookup = new OwnerLookupSink(owners, ids: null);
        var lookupAndId = new OwnerLookupSink(owners, new OwnerTable(withPid: false));
        var dump = new List<double>();
        var lookupCost = new List<double>();
        var idCost = new List<double>();
        var cpu = (User: TimeSpan.Zero, System: TimeSpan.Zero);
        for (var i = 0; i < DumpRepetitions; i++)
        {
            cancellation.ThrowIfCancellationRequested();

            // The three dumps in a rotating order, so none is always the one after a pause.
            double countingMs = 0, lookupMs = 0, lookupAndIdMs = 0;
            for (var k = 0; k < 3; k++)
            {
                switch ((i + k) % 3)
                {
                    case 0:
                        var before = ThreadCpuTime.Now();
                        countingMs = TimeDump(source, counting);
                        var after = ThreadCpuTime.Now();
                        cpu = (cpu.User + after.User - before.User, cpu.System + after.System - before.System);
                        break;
                    case 1:
                        lookup.Reset();
                        lookupMs = TimeDump(source, lookup);
                        break;
                    default:
                        lookupAndId.Reset();
                        lookupAndIdMs = TimeDump(source, lookupAndId);
                        break;
                }
            }

            var sockets = Math.Max(counting.Sockets / (i + 1), 1);
            dump.Add(countingMs);
            lookupCost.Add((lookupMs - countingMs) * 1e6 / sockets);
            idCost.Add((lookupAndIdMs - lookupMs) * 1e6 / sockets);
        }

        // Summed over all repetitions: thread CPU time is accounted in scheduler ticks (a few ms), too coarse for one dump.
        var kernelShare = ThreadCpuTime.KernelShare((TimeSpan.Zero, TimeSpan.Zero), cpu);

        var (replayedLookup, replayedId) = ReplayLookups(source, owners, cancellation);
        return new PhaseBreakdown(
            TimeSpan.FromMilliseconds(Statistics.Median(dump)),
            kernelShare,
            TimeSs(networkNamespace, "-tan", cancellation),
            TimeSs(networkNamespace, "-tan6", cancellation),
            replayedLookup,
            replayedId,
            Statistics.Median(lookupCost),
            Statistics.Median(idCost));
    }

    private static double TimeDump(ISocketTableSource source, ISocketSink sink)
    {
        var clock = Stopwatch.StartNew();
        source.DumpListeners(sink);
        source.Dump(sink);
        return clock.Elapsed.TotalMilliseconds;
    }

    // The two lookups the sampler makes for every socket with an inode while the dump streams
    // past, timed apart from the dump, back to back: inode -> process (a dictionary as large as
    // the table) and process -> the sample's owner id.
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
