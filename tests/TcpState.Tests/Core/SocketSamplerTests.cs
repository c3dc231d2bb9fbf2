using TcpState.Core;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Core;

public class SocketSamplerTests
{
    [Fact]
    public void Sample_DumpInterruptedOnce_RetriesAndCountsNoSocketTwice()
    {
        var source = new ScriptedSource().ThenInterrupt();
        source.Sockets.Add(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.Established, LocalPort = 1, RemotePort = 2 });

        var snapshot = new SocketSampler(source, [], 1000, TimeProvider.System).Sample();

        Assert.Equal(1, snapshot.Retries);
        Assert.Equal(2, source.Dumps);
        Assert.Equal(1, snapshot.TotalSockets);
    }

    [Fact]
    public void Sample_DumpInterruptedEveryTime_FailsWithDumpInterrupted()
    {
        var source = new ScriptedSource().ThenInterrupt().ThenInterrupt().ThenInterrupt();

        var error = Assert.Throws<SocketTableException>(() => new SocketSampler(source, [], 1000, TimeProvider.System).Sample());

        Assert.Equal("dump_interrupted", error.Reason);
        Assert.Equal(SocketSampler.MaxAttempts, source.Dumps);
    }

    [Fact]
    public void Sample_MalformedRecords_AreReportedInTheSnapshot()
    {
        var source = new ScriptedSource().Then(_ => new DumpResult(false, 3));

        var snapshot = new SocketSampler(source, [], 1000, TimeProvider.System).Sample();

        Assert.Equal(3, snapshot.MalformedRecords);
    }

    [Fact]
    public void Sample_Duration_IsMeasuredOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedSource().Then(_ =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return new DumpResult(false, 0);
        });

        var snapshot = new SocketSampler(source, [], 1000, time).Sample();

        Assert.Equal(TimeSpan.FromMilliseconds(250), snapshot.Duration);
        Assert.Equal(FakeTimeProvider.Epoch.AddMilliseconds(250), snapshot.Timestamp);
    }

    [Fact]
    public void Sample_OwnersPreparedBeforeTheDump_SocketsAttributedAsTheyStreamWithoutAWalk()
    {
        var owners = new StaticOwners { FoundByPrepare = { [7] = new SocketOwner(100, 10, "nginx") } };
        var source = new ScriptedSource();
        source.Sockets.Add(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.Established, LocalPort = 80, RemotePort = 5000, Inode = 7 });

        var snapshot = new SocketSampler(source, [80], 1000, TimeProvider.System, owners).Sample();

        Assert.Equal((1, 0), (owners.Preparations, owners.Walks));
        Assert.Equal("nginx", Assert.Single(snapshot.PortGroups).Process);
        Assert.Equal(0, snapshot.UnattributedSockets);
    }
}
