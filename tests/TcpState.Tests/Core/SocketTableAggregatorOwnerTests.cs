using TcpState.Core;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Core;

public class SocketTableAggregatorOwnerTests
{
    private static readonly SocketOwner Nginx1 = new(100, 10, "nginx");
    private static readonly SocketOwner Nginx2 = new(101, 11, "nginx");

    [Fact]
    public void ToSnapshot_TwoProcessesSameName_OneSeriesWithoutPidLabelTwoWith()
    {
        var owners = new StaticOwners { Known = { [1] = Nginx1, [2] = Nginx2 } };

        var merged = Sample(new SocketTableAggregator([80], owners), Socket(KernelTcpState.Established, 80, 5000, 1), Socket(KernelTcpState.Established, 80, 5001, 2));
        var split = Sample(new SocketTableAggregator([80], owners, pidLabel: true), Socket(KernelTcpState.Established, 80, 5000, 1), Socket(KernelTcpState.Established, 80, 5001, 2));

        Assert.Equal(2, Assert.Single(merged.PortGroups).Count);
        Assert.Equal(["100", "101"], split.PortGroups.Select(g => g.Pid));
    }

    [Fact]
    public void ToSnapshot_UnknownInodes_OneWalkForAllThenUnknownLabelForTheRest()
    {
        var owners = new StaticOwners { FoundByWalk = { [1] = Nginx1 } };

        var snapshot = Sample(new SocketTableAggregator([], owners), Socket(KernelTcpState.CloseWait, 80, 5000, 1), Socket(KernelTcpState.CloseWait, 80, 5001, 2));

        Assert.Equal(1, owners.Walks);
        Assert.Equal(1, snapshot.UnattributedSockets);
        Assert.Equal(["(unknown)", "nginx"], snapshot.PortGroups.Select(g => g.Process).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToSnapshot_EveryInodeKnown_DoesNotWalk()
    {
        var owners = new StaticOwners { Known = { [1] = Nginx1 } };

        Sample(new SocketTableAggregator([], owners), Socket(KernelTcpState.Established, 80, 5000, 1));

        Assert.Equal(0, owners.Walks);
    }

    [Fact]
    public void ToSnapshot_OwnerlessServerSockets_GoToTheListenersProcessClientOnesToNone()
    {
        var owners = new StaticOwners { Known = { [7] = Nginx1 } };
        var aggregator = new SocketTableAggregator([9000], owners);
        aggregator.ListenerSink.OnSocket(Socket(KernelTcpState.Listen, 80, 0, 7));

        var snapshot = Sample(aggregator,
            Socket(KernelTcpState.TimeWait, 80, 5000, 0),
            Socket(KernelTcpState.FinWait2, 80, 5001, 0),
            Socket(KernelTcpState.TimeWait, 40000, 443, 0),
            Socket(KernelTcpState.TimeWait, 9000, 5002, 0));

        Assert.Equal("nginx", snapshot.PortGroups.Single(g => g.StateIndex == StateLabel.TimeWait && g.Port == 80).Process);
        Assert.Equal("nginx", snapshot.PortGroups.Single(g => g.StateIndex == StateLabel.FromKernel(5)).Process);
        Assert.Equal("", snapshot.PortGroups.Single(g => g.Port == 443).Process);
        Assert.Equal("", snapshot.PortGroups.Single(g => g.Port == 9000).Process); // configured port, no listener
    }

    [Fact]
    public void ToSnapshot_ListenersSharingAPort_QueuesAreSummedPerProcess()
    {
        var owners = new StaticOwners { Known = { [1] = Nginx1, [2] = Nginx2 } };

        var snapshot = Sample(new SocketTableAggregator([], owners),
            Socket(KernelTcpState.Listen, 80, 0, 1) with { ReceiveQueue = 3, SendQueue = 128 },
            Socket(KernelTcpState.Listen, 80, 0, 2) with { ReceiveQueue = 4, SendQueue = 128 });

        Assert.Equal(new ListenQueue(80, "nginx", null, 7, 256), Assert.Single(snapshot.ListenQueues));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(SocketTableAggregator.DefaultLookahead)]
    [InlineData(SocketTableAggregator.DefaultLookahead + 1)]
    [InlineData(1000)]
    public void ToSnapshot_LookupsTrailingTheDump_EverySocketCountedAsWithLookupsAtOnce(int count)
    {
        // Known, found by the walk, unknown, no inode (server and client side), and listeners
        // whose ports make later sockets server sockets: every path a socket can take.
        var owners = new StaticOwners { Known = { [1] = Nginx1, [2] = Nginx2 }, FoundByWalk = { [3] = Nginx2 } };
        var sockets = Enumerable.Range(0, count).Select(i => (i % 7) switch
        {
            0 => Socket(KernelTcpState.Listen, (ushort)(1000 + (i % 50)), 0, (uint)(1 + (i % 3))) with { ReceiveQueue = (uint)i, SendQueue = 128 },
            1 => Socket(KernelTcpState.TimeWait, (ushort)(1000 + (i % 50)), 5000, 0),
            2 => Socket(KernelTcpState.TimeWait, 40000, (ushort)(1000 + (i % 50)), 0),
            3 => Socket(KernelTcpState.CloseWait, 40001, 443, 4),
            _ => Socket(KernelTcpState.Established, (ushort)(1000 + (i % 60)), (ushort)(6000 + i), (uint)(1 + (i % 3))),
        }).ToArray();

        var atOnce = Sample(new SocketTableAggregator([], owners, lookahead: 0), sockets);
        var trailing = Sample(new SocketTableAggregator([], new StaticOwners { Known = { [1] = Nginx1, [2] = Nginx2 }, FoundByWalk = { [3] = Nginx2 } }), sockets);

        Assert.Equal(count, trailing.TotalSockets);
        Assert.Equal(atOnce.StateCounts, trailing.StateCounts);
        Assert.Equal(atOnce.PortGroups, trailing.PortGroups);
        Assert.Equal(atOnce.ListenQueues, trailing.ListenQueues);
        Assert.Equal(atOnce.UnattributedSockets, trailing.UnattributedSockets);
        Assert.Equal(count, trailing.PortGroups.Sum(g => g.Count));
    }

    [Fact]
    public void ToSnapshot_WalkGivesAnOwnerIndexToAnotherProcess_EachSocketKeepsItsOwner()
    {
        // StaticOwners numbers owners afresh after each walk: the walk's owner takes index 0,
        // which the known owner had before it.
        var curl = new SocketOwner(200, 20, "curl");
        var owners = new StaticOwners { Known = { [1] = Nginx1 }, FoundByWalk = { [2] = curl } };

        var snapshot = Sample(new SocketTableAggregator([], owners), Socket(KernelTcpState.Established, 80, 5000, 1), Socket(KernelTcpState.Established, 80, 5001, 2));

        Assert.Equal(1, owners.Walks);
        Assert.Equal(["curl", "nginx"], snapshot.PortGroups.Select(g => g.Process).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reset_WithLookupsStillInFlight_ForgetsThem()
    {
        var owners = new StaticOwners { Known = { [1] = Nginx1 } };
        var aggregator = new SocketTableAggregator([], owners);
        aggregator.OnSocket(Socket(KernelTcpState.Established, 80, 5000, 1));
        aggregator.OnSocket(Socket(KernelTcpState.Established, 80, 5001, 1));

        aggregator.Reset(); // a dump tried again within a sample
        var snapshot = Sample(aggregator, Socket(KernelTcpState.Established, 80, 5002, 1));

        Assert.Equal(1, snapshot.TotalSockets);
        Assert.Equal(1, Assert.Single(snapshot.PortGroups).Count);
    }

    private static SocketSnapshot Sample(SocketTableAggregator aggregator, params SocketRecord[] sockets)
    {
        foreach (var socket in sockets) aggregator.OnSocket(socket);
        return aggregator.ToSnapshot("test", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1000, 0, 0);
    }

    private static SocketRecord Socket(KernelTcpState state, ushort localPort, ushort remotePort, uint inode) =>
        new() { Family = AddressFamilies.Inet, State = (byte)state, LocalPort = localPort, RemotePort = remotePort, Inode = inode };
}
