using TcpState.Core;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel;

/// <summary>
/// Both sources against <c>ss -tan</c> on the same real sockets, in a namespace the test owns so
/// that nothing else changes the counts.
/// </summary>
public sealed class LiveSocketTableTests : IClassFixture<LiveSocketTableTests.Sockets>
{
    private readonly LiveSockets _live;

    public LiveSocketTableTests(Sockets sockets) => _live = sockets.Live;

    [Fact]
    public void Sample_Netlink_MatchesSsForEveryState()
    {
        var snapshot = _live.SampleNetlink();

        Assert.Equal(_live.SsCounts(), snapshot.StateCounts);
        Assert.Equal("netlink", snapshot.Source);
        Assert.Equal(0, snapshot.MalformedRecords);
    }

    [Fact]
    public void Sample_Proc_MatchesSsForEveryState()
    {
        var snapshot = _live.SampleProc();

        Assert.Equal(_live.SsCounts(), snapshot.StateCounts);
        Assert.Equal("proc", snapshot.Source);
    }

    [Fact]
    public void Sample_BothSources_AgreeOnEveryPortGroup()
    {
        var netlink = _live.SampleNetlink();
        var proc = _live.SampleProc();

        Assert.Equal(netlink.StateCounts, proc.StateCounts);
        Assert.Equal(netlink.PortGroups, proc.PortGroups);
    }

    [Fact]
    public void Sample_Netlink_ExpectedStatesArePresent()
    {
        var counts = _live.SampleNetlink().StateCounts;

        Assert.True(counts[StateLabel.Listen] >= 4);
        Assert.True(counts[StateLabel.Established] >= 10);
        Assert.True(counts[StateLabel.CloseWait] >= 4);
        Assert.True(counts[StateLabel.FromKernel(5)] >= 1); // fin_wait2
        Assert.True(counts[StateLabel.TimeWait] >= 3);
    }

    [Fact]
    public void Sample_Netlink_GroupsByServiceAndRole()
    {
        var snapshot = _live.SampleNetlink();
        var ss = SsOutput.CaptureAll(_live.Namespace);

        // Server side: CLOSE_WAIT and server-closed TIME_WAIT on the listening ports.
        Assert.Equal(ss.Sockets.Count(s => s.State == "close_wait" && s.LocalPort == 8080), Count(snapshot, StateLabel.CloseWait, SocketRole.Server, 8080));
        Assert.Equal(ss.Sockets.Count(s => s.State == "close_wait" && s.LocalPort == 8443), Count(snapshot, StateLabel.CloseWait, SocketRole.Server, 8443));
        Assert.Equal(ss.Sockets.Count(s => s.State == "time_wait" && s.LocalPort == 8080), Count(snapshot, StateLabel.TimeWait, SocketRole.Server, 8080));
        // Client side: by the remote port being called, never by the ephemeral local port.
        Assert.Equal(ss.Sockets.Count(s => s.State == "time_wait" && s.PeerPort == 9090), Count(snapshot, StateLabel.TimeWait, SocketRole.Client, 9090));
        Assert.Equal(ss.Sockets.Count(s => s.State == "established" && s.PeerPort == 8080), Count(snapshot, StateLabel.Established, SocketRole.Client, 8080));
        Assert.Equal(ss.Sockets.Count(s => s.State == "listen"), snapshot.PortGroups.Where(g => g.StateIndex == StateLabel.Listen).Sum(g => g.Count));
        Assert.All(snapshot.PortGroups.Where(g => g.StateIndex == StateLabel.Listen), g => Assert.Equal(SocketRole.Server, g.Role));
    }

    private static long Count(SocketSnapshot snapshot, int state, SocketRole role, int port) =>
        snapshot.PortGroups.Where(g => g.StateIndex == state && g.Role == role && g.Port == port).Sum(g => g.Count);

    public sealed class Sockets : IDisposable
    {
        public LiveSockets Live { get; } = new();

        public void Dispose() => Live.Dispose();
    }
}
