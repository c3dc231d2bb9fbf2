using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Core;

public class SocketTableAggregatorTests
{
    [Fact]
    public void OnSocket_LocalPortHasListener_CountsAsServerByLocalPort()
    {
        var aggregator = new SocketTableAggregator([]);
        aggregator.OnSocket(Socket(KernelTcpState.Listen, 8080, 0));
        aggregator.OnSocket(Socket(KernelTcpState.CloseWait, 8080, 40001));
        aggregator.OnSocket(Socket(KernelTcpState.TimeWait, 40002, 5432));

        var snapshot = Snapshot(aggregator);

        Assert.Contains(new PortGroupCount(StateLabel.Listen, SocketRole.Server, 8080, 1), snapshot.PortGroups);
        Assert.Contains(new PortGroupCount(StateLabel.CloseWait, SocketRole.Server, 8080, 1), snapshot.PortGroups);
        Assert.Contains(new PortGroupCount(StateLabel.TimeWait, SocketRole.Client, 5432, 1), snapshot.PortGroups);
    }

    [Fact]
    public void OnSocket_ListenerLearnedFromThePreDump_AppliesToSocketsSeenBeforeTheListener()
    {
        var aggregator = new SocketTableAggregator([]);
        aggregator.ListenerSink.OnSocket(Socket(KernelTcpState.Listen, 7070, 0));
        aggregator.OnSocket(Socket(KernelTcpState.Established, 7070, 40051));
        aggregator.OnSocket(Socket(KernelTcpState.Listen, 7070, 0));

        var snapshot = Snapshot(aggregator);

        Assert.Contains(new PortGroupCount(StateLabel.Established, SocketRole.Server, 7070, 1), snapshot.PortGroups);
    }

    [Fact]
    public void OnSocket_ConfiguredServerPort_CountsAsServerWithoutListener()
    {
        var aggregator = new SocketTableAggregator([9000]);
        aggregator.OnSocket(Socket(KernelTcpState.TimeWait, 9000, 50123));

        Assert.Contains(new PortGroupCount(StateLabel.TimeWait, SocketRole.Server, 9000, 1), Snapshot(aggregator).PortGroups);
    }

    [Fact]
    public void OnSocket_UnknownKernelState_CountedAsUnknown()
    {
        var aggregator = new SocketTableAggregator([]);
        aggregator.OnSocket(Socket((KernelTcpState)13, 1234, 0));
        aggregator.OnSocket(Socket(KernelTcpState.NewSynRecv, 80, 40000));

        var snapshot = Snapshot(aggregator);

        Assert.Equal(1, snapshot.StateCounts[StateLabel.Unknown]);
        Assert.Equal(1, snapshot.StateCounts[StateLabel.FromKernel((byte)KernelTcpState.SynRecv)]);
    }

    [Fact]
    public void Reset_NextSample_ForgetsCountsButKeepsConfiguredPorts()
    {
        var aggregator = new SocketTableAggregator([9000]);
        aggregator.OnSocket(Socket(KernelTcpState.Listen, 8080, 0));
        aggregator.Reset();
        aggregator.OnSocket(Socket(KernelTcpState.Established, 8080, 443));
        aggregator.OnSocket(Socket(KernelTcpState.Established, 9000, 443));

        var snapshot = Snapshot(aggregator);

        Assert.Equal(2, snapshot.TotalSockets);
        Assert.Contains(new PortGroupCount(StateLabel.Established, SocketRole.Client, 443, 1), snapshot.PortGroups);
        Assert.Contains(new PortGroupCount(StateLabel.Established, SocketRole.Server, 9000, 1), snapshot.PortGroups);
    }

    [Fact]
    public void ToSnapshot_BothSourcesOnTheSameCapture_Agree()
    {
        var fromNetlink = new SocketTableAggregator([]);
        foreach (var file in new[] { "netlink-listen-inet.bin", "netlink-listen-inet6.bin" })
        {
            InetDiagParser.ParseDatagram(FixtureFiles.Read(file), FixtureFiles.NetlinkSequence, fromNetlink.ListenerSink);
        }

        foreach (var file in new[] { "netlink-inet.bin", "netlink-inet6.bin" })
        {
            InetDiagParser.ParseDatagram(FixtureFiles.Read(file), FixtureFiles.NetlinkSequence, fromNetlink);
        }

        using var root = new TemporaryProcRoot();
        root.Write("tcp", FixtureFiles.Read("proc-net-tcp.txt"));
        root.Write("tcp6", FixtureFiles.Read("proc-net-tcp6.txt"));
        using var proc = new ProcNetTcpReader(root.Path);
        var fromProc = new SocketTableAggregator([]);
        proc.DumpListeners(fromProc.ListenerSink);
        proc.Dump(fromProc);

        var a = Snapshot(fromNetlink);
        var b = Snapshot(fromProc);
        Assert.Equal(a.StateCounts, b.StateCounts);
        Assert.Equal(a.PortGroups, b.PortGroups);
        var expected = FixtureFiles.ExpectedStateCounts("inet").Zip(FixtureFiles.ExpectedStateCounts("inet6"), (x, y) => x + y);
        Assert.Equal(expected, a.StateCounts);
        // The dual-stack listener on 7070 makes its IPv4 client's accepted socket a server socket.
        Assert.Contains(new PortGroupCount(StateLabel.Established, SocketRole.Server, 7070, 1), a.PortGroups);
        Assert.Contains(new PortGroupCount(StateLabel.TimeWait, SocketRole.Client, 9090, 0), a.PortGroups.Select(g => g with { Count = 0 }));
    }

    private static SocketSnapshot Snapshot(SocketTableAggregator aggregator) =>
        aggregator.ToSnapshot("test", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1000, 0, 0);

    private static SocketRecord Socket(KernelTcpState state, ushort localPort, ushort remotePort) =>
        new() { Family = AddressFamilies.Inet, State = (byte)state, LocalPort = localPort, RemotePort = remotePort };
}
