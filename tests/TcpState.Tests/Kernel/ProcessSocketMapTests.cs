using TcpState.Core;
using TcpState.Kernel.Proc;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel;

public sealed class ProcessSocketMapTests : IDisposable
{
    private readonly FakeProcTree _proc = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Resolve_InodesInFdLinks_AttributesThemToTheProcess()
    {
        _proc.AddProcess(100, 5000, "nginx", 11, 12);
        _proc.AddProcess(200, 6000, "postgres", 21);
        var map = Map();

        map.Resolve([11, 21]);

        Assert.Equal("nginx", Owner(map, 11)?.Name);
        Assert.Equal("nginx", Owner(map, 12)?.Name);
        Assert.Equal(new SocketOwner(200, 6000, "postgres"), Owner(map, 21));
    }

    [Fact]
    public void TryGetOwnerIndex_AfterResolve_OneIndexPerProcessThatOwnerAtTurnsIntoTheOwner()
    {
        _proc.AddProcess(100, 5000, "nginx", 11, 12);
        _proc.AddProcess(200, 6000, "postgres", 21);
        var map = Map();
        map.Resolve([11, 21]);

        Assert.True(map.TryGetOwnerIndex(11, out var nginx));
        Assert.True(map.TryGetOwnerIndex(12, out var nginxAgain));
        Assert.True(map.TryGetOwnerIndex(21, out var postgres));
        Assert.False(map.TryGetOwnerIndex(99, out _));
        Assert.Equal(nginx, nginxAgain);
        Assert.NotEqual(nginx, postgres);
        Assert.Same(Owner(map, 11), map.OwnerAt(nginx));
        Assert.Same(Owner(map, 21), map.OwnerAt(postgres));
    }

    [Fact]
    public void Resolve_PidReusedByAnotherProcess_ForgetsTheOldOneWithoutAFullRescan()
    {
        _proc.AddProcess(100, 5000, "alpha", 11);
        var map = Map();
        map.Resolve([11]);
        var fullRescans = map.FullRescans;

        // Same pid, same number of fds, a different process (later start time).
        _proc.AddProcess(100, 7000, "beta", 22);
        map.Resolve([22]);

        Assert.Equal(new SocketOwner(100, 7000, "beta"), Owner(map, 22));
        Assert.Null(Owner(map, 11));
        Assert.Equal(fullRescans, map.FullRescans);
    }

    [Fact]
    public void Resolve_SocketHeldBySeveralProcesses_GoesToTheYoungestThenHighestPid()
    {
        _proc.AddProcess(300, 9000, "worker", 42);
        _proc.AddProcess(100, 1000, "master", 42);
        _proc.AddProcess(200, 9000, "worker2", 42);
        var map = Map();

        map.Resolve([42]);

        Assert.Equal(new SocketOwner(300, 9000, "worker"), Owner(map, 42));
    }

    [Fact]
    public void Resolve_AllInodesKnown_DoesNotWalkProc()
    {
        _proc.AddProcess(100, 5000, "nginx", 11);
        var map = Map();
        map.Resolve([11]);
        var walks = map.Walks;

        map.Resolve([]);

        Assert.Equal(walks, map.Walks);
    }

    [Fact]
    public void Resolve_ProcessExited_ItsSocketsAreForgotten()
    {
        _proc.AddProcess(100, 5000, "gone", 11);
        _proc.AddProcess(200, 6000, "stays", 21);
        var map = Map();
        map.Resolve([11]);

        _proc.RemoveProcess(100);
        _proc.AddProcess(200, 6000, "stays", 21, 22);
        map.Resolve([22]);

        Assert.Null(Owner(map, 11));
        Assert.Equal("stays", Owner(map, 22)?.Name);
    }

    [Fact]
    public void Resolve_InodeNobodyHolds_FullRescanIsRateLimited()
    {
        _proc.AddProcess(100, 5000, "nginx", 11);
        var map = Map();
        map.Resolve([999]);
        var afterFirst = map.FullRescans;

        map.Resolve([999]);
        Assert.Equal(afterFirst, map.FullRescans);

        _time.Advance(ProcessSocketMap.FullRescanInterval);
        map.Resolve([999]);
        Assert.Equal(afterFirst + 1, map.FullRescans);
    }

    [Fact]
    public void Prepare_ColdMap_LearnsEveryProcessInOneWalk()
    {
        _proc.AddProcess(100, 5000, "nginx", 11, 12);
        _proc.AddProcess(200, 6000, "postgres", 21);
        var map = Map();

        map.Prepare();

        Assert.Equal(("nginx", "postgres", 1L), (Owner(map, 12)?.Name, Owner(map, 21)?.Name, map.Walks));
    }

    [Fact]
    public void Prepare_AfterTheFirstWalk_DoesNotWalkAgain()
    {
        _proc.AddProcess(100, 5000, "nginx", 11);
        var map = Map();
        map.Prepare();
        _proc.AddProcess(200, 6000, "postgres", 21);

        map.Prepare();

        Assert.Equal(1, map.Walks);
        Assert.Null(Owner(map, 21));
        map.Resolve([21]);
        Assert.Equal("postgres", Owner(map, 21)?.Name);
    }

    [Theory]
    [InlineData(ProcessNameSource.Comm, "my daemon)")]
    [InlineData(ProcessNameSource.Exe, "my daemon)-bin")]
    [InlineData(ProcessNameSource.Unit, "my daemon).service")]
    public void Resolve_NameSource_ChoosesTheLabel(ProcessNameSource source, string expected)
    {
        _proc.AddProcess(100, 5000, "my daemon)", 11);
        var map = new ProcessSocketMap(_proc.Root, source, _time);

        map.Resolve([11]);

        Assert.Equal(expected, Owner(map, 11)?.Name);
    }

    private ProcessSocketMap Map() => new(_proc.Root, ProcessNameSource.Comm, _time);

    private static SocketOwner? Owner(ISocketOwnerLookup map, uint inode) => map.TryGetOwner(inode, out var owner) ? owner : null;

    public void Dispose() => _proc.Dispose();
}
