using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Core;

/// <summary>
/// Process attribution, stuck-socket ages and listen queues on real sockets held by helper
/// processes in a test-made network namespace, sampled through netlink with a clock the test drives.
/// </summary>
public sealed class AttributionLiveTests : IDisposable
{
    private static readonly string Holder = SocketHolderProcess.ExpectedProcessName;
    private readonly NetworkNamespace _ns = new();
    private readonly FakeTimeProvider _time = new();
    private readonly InetDiagReader _reader;
    private readonly SocketSampler _sampler;

    public AttributionLiveTests()
    {
        _ns.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
        _reader = _ns.RunInside(InetDiagReader.Open);
        _sampler = new SocketSampler(_reader, [], 1000, _time,
            new ProcessSocketMap("/proc", ProcessNameSource.Comm, _time),
            new StuckSocketTracker([StateLabel.CloseWait], TimeSpan.FromMinutes(5), _time));
    }

    [Fact]
    public void Sample_CloseWaitHeldByHelper_IsAttributedToItsNameAndPort()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "8080", "--close-wait", "8080:3");

        var snapshot = _sampler.Sample();

        var group = Assert.Single(snapshot.PortGroups, g => g.StateIndex == StateLabel.CloseWait);
        Assert.Equal((SocketRole.Server, 8080, Holder, 3L), (group.Role, group.Port, group.Process, group.Count));
        Assert.Equal(0, snapshot.UnattributedSockets);
    }

    [Fact]
    public void Sample_TimeAdvances_AgeGrowsAndStuckFlipsAtTheThreshold()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "8080", "--close-wait", "8080:2");
        _sampler.Sample();

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var before = CloseWait(_sampler.Sample());
        _time.Advance(TimeSpan.FromSeconds(1));
        var at = CloseWait(_sampler.Sample());

        Assert.Equal(TimeSpan.FromSeconds(299), before.OldestAge);
        Assert.Equal(0, before.Stuck);
        Assert.Equal(TimeSpan.FromSeconds(300), at.OldestAge);
        Assert.Equal(2, at.Stuck);
    }

    [Fact]
    public void Sample_HelperKilled_ItsSeriesDisappearInTheNextSample()
    {
        var holder = SocketHolderProcess.Start(_ns, "--listen", "8080", "--close-wait", "8080:2");
        Assert.Contains(_sampler.Sample().PortGroups, g => g.Process == Holder);

        holder.Dispose();
        var after = _sampler.Sample();

        Assert.DoesNotContain(after.PortGroups, g => g.Process == Holder);
        Assert.DoesNotContain(after.PortGroups, g => g.StateIndex == StateLabel.CloseWait);
        Assert.Equal(0, after.TrackedSockets);
    }

    [Fact]
    public void Sample_TimeWait_ServerSideGoesToTheListenerClientSideHasNoProcess()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "8080", "--listen", "9090",
            "--time-wait-server", "8080:2", "--time-wait-client", "9090:1");

        var timeWait = _sampler.Sample().PortGroups.Where(g => g.StateIndex == StateLabel.TimeWait).ToList();

        Assert.Contains(timeWait, g => g is { Role: SocketRole.Server, Port: 8080, Count: 2 } && g.Process == Holder);
        Assert.Contains(timeWait, g => g is { Role: SocketRole.Client, Port: 9090, Count: 1 } && g.Process == "");
    }

    [Fact]
    public void Sample_ListenerThatNeverAccepts_QueueAndLimitMatchSs()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen-full", "6060:backlog=3:clients=6");

        var queue = Assert.Single(_sampler.Sample().ListenQueues, q => q.Port == 6060);
        var ss = SsOutput.CaptureListening(_ns).ListenQueue(6060);

        Assert.Equal(Holder, queue.Process);
        Assert.Equal(ss.RecvQ, queue.Length);
        Assert.Equal(ss.SendQ, queue.Limit);
        Assert.True(queue.Length > 0);
    }

    [Fact]
    public void Sample_SocketInheritedByChildren_GoesToTheYoungestHolderDeterministically()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "7000");
        // bash opens the connection on fd 3; the sleeps it starts inherit it.
        var shared = _ns.Start("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/7000; sleep 60 & sleep 60 & echo started; wait"]);
        Assert.Equal("started", shared.StandardOutput.ReadLine());
        try
        {
            var first = ClientGroups(_sampler.Sample());
            var second = ClientGroups(_sampler.Sample());

            Assert.Equal(["sleep"], first);
            Assert.Equal(first, second);
        }
        finally
        {
            shared.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Sample_LookupsTrailingTheDump_SameSnapshotAsLookupsAtOnce()
    {
        // More sockets than the lookahead, of several states and two holder processes.
        using var first = SocketHolderProcess.Start(_ns, "--listen", "8080", "--listen", "9090",
            "--close-wait", "8080:40", "--time-wait-server", "9090:5", "--time-wait-client", "8080:5");
        using var second = SocketHolderProcess.Start(_ns, "--listen", "7070", "--close-wait", "7070:30");
        var owners = new ProcessSocketMap("/proc", ProcessNameSource.Comm, _time);
        var atOnce = new SocketTableAggregator([], owners, pidLabel: true, lookahead: 0);
        var trailing = new SocketTableAggregator([], owners, pidLabel: true);
        Dump(atOnce); // the cold walk, so that both samples below find every owner in the table

        var expected = Dump(atOnce);
        var actual = Dump(trailing);

        Assert.True(actual.TotalSockets > SocketTableAggregator.DefaultLookahead * 4, $"{actual.TotalSockets} sockets");
        Assert.Equal(expected.StateCounts, actual.StateCounts);
        Assert.Equal(expected.PortGroups, actual.PortGroups);
        Assert.Equal(expected.ListenQueues, actual.ListenQueues);
        Assert.Equal(0, actual.UnattributedSockets);
        Assert.Equal(70, actual.PortGroups.Where(g => g.StateIndex == StateLabel.CloseWait && g.Process == Holder).Sum(g => g.Count));
    }

    private SocketSnapshot Dump(SocketTableAggregator aggregator)
    {
        aggregator.Reset();
        _reader.DumpListeners(aggregator.ListenerSink);
        _reader.Dump(aggregator);
        return aggregator.ToSnapshot(_reader.Name, DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1000, 0, 0);
    }

    private static PortGroupCount CloseWait(SocketSnapshot snapshot) => snapshot.PortGroups.Single(g => g.StateIndex == StateLabel.CloseWait);

    private static List<string> ClientGroups(SocketSnapshot snapshot) =>
        snapshot.PortGroups.Where(g => g is { StateIndex: StateLabel.Established, Role: SocketRole.Client, Port: 7000 }).Select(g => g.Process).ToList();

    public void Dispose()
    {
        _reader.Dispose();
        _ns.Dispose();
    }
}
