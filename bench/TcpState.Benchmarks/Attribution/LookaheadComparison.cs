using System.Diagnostics;
using TcpState.Core;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// The aggregation of a steady-state sample three ways on the same dumps: without attribution,
/// with owner lookups made as each socket arrives (lookahead 0), and with the lookups trailing
/// by <see cref="SocketTableAggregator.DefaultLookahead"/> sockets and prefetched (the
/// exporter's). Rounds rotate the order; the differences to the sample without attribution are
/// paired within a round. The two attributed samples must agree.
/// </summary>
internal static class LookaheadComparison
{
    private const int Rounds = 15;
    private const int MaxPortSeries = 1000;

    /// <param name="ImmediateMs">Median of (lookahead 0 minus no attribution) per sample.</param>
    /// <param name="PipelinedMs">Median of (default lookahead minus no attribution) per sample.</param>
    /// <param name="Identical">Whether both attributed samples produced the same snapshot in every round.</param>
    public sealed record Result(double ImmediateMs, double PipelinedMs, bool Identical);

    public static Result Measure(ISocketTableSource source, ISocketOwnerLookup owners, CancellationToken cancellation)
    {
        var bare = new SocketTableAggregator([], owners: null);
        var immediate = new SocketTableAggregator([], owners, lookahead: 0);
        var pipelined = new SocketTableAggregator([], owners);
        foreach (var aggregator in new[] { bare, immediate, pipelined })
        {
            Sample(source, aggregator, out _); // sizes the tables
        }

        var immediateCost = new List<double>(Rounds);
        var pipelinedCost = new List<double>(Rounds);
        var identical = true;
        for (var round = 0; round < Rounds; round++)
        {
            cancellation.ThrowIfCancellationRequested();
            double bareMs = 0, immediateMs = 0, pipelinedMs = 0;
            SocketSnapshot? a = null, b = null;
            for (var k = 0; k < 3; k++)
            {
                switch ((round + k) % 3)
                {
                    case 0:
                        bareMs = Sample(source, bare, out _);
                        break;
                    case 1:
                        immediateMs = Sample(source, immediate, out a);
                        break;
                    default:
                        pipelinedMs = Sample(source, pipelined, out b);
                        break;
                }
            }

            immediateCost.Add(immediateMs - bareMs);
            pipelinedCost.Add(pipelinedMs - bareMs);
            identical &= Same(a!, b!);
        }

        return new Result(Statistics.Median(immediateCost), Statistics.Median(pipelinedCost), identical);
    }

    private static double Sample(ISocketTableSource source, SocketTableAggregator aggregator, out SocketSnapshot snapshot)
    {
        var clock = Stopwatch.StartNew();
        aggregator.Reset();
        source.DumpListeners(aggregator.ListenerSink);
        source.Dump(aggregator);
        snapshot = aggregator.ToSnapshot(source.Name, DateTimeOffset.UnixEpoch, TimeSpan.Zero, MaxPortSeries, 0, 0);
        return clock.Elapsed.TotalMilliseconds;
    }

    // The dumps are a few milliseconds apart, so sockets may change between them (rarely, on a
    // quiet namespace); totals and the per-owner split are what attribution decides.
    private static bool Same(SocketSnapshot a, SocketSnapshot b) =>
        a.StateCounts.SequenceEqual(b.StateCounts)
        && a.PortGroups.SequenceEqual(b.PortGroups)
        && a.UnattributedSockets == b.UnattributedSockets
        && a.ListenQueues.SequenceEqual(b.ListenQueues);
}
