using TcpState.Core;
using TcpState.Kernel;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A socket-table source whose dumps really spend CPU: each spins on the dumping thread until
/// that thread's CPU time (<see cref="ThreadCpuClock"/>) has grown by the dump's cost, as a large
/// table costs the kernel. The CPU is spent, not simulated, so a sampler that measured the wrong
/// clock or the wrong thread would see something else.
/// </summary>
public sealed class CpuCostSource(TimeSpan cost) : ISocketTableSource
{
    // A spin that cannot reach its cost in this long (a thread starved of CPU) gives up.
    private static readonly TimeSpan WallLimit = TimeSpan.FromSeconds(30);
    private readonly Queue<TimeSpan> _costs = new();

    public string Name => "cpu-cost";

    public bool ReportsListenQueueLimit => true;

    public int Dumps { get; private set; }

    /// <summary>Queues the costs of the next dumps; once the queue is empty every dump costs the constructor's.</summary>
    public CpuCostSource Then(params TimeSpan[] costs)
    {
        foreach (var next in costs) _costs.Enqueue(next);
        return this;
    }

    public void DumpListeners(ISocketSink sink)
    {
    }

    public DumpResult Dump(ISocketSink sink)
    {
        Dumps++;
        Spend(_costs.Count > 0 ? _costs.Dequeue() : cost);
        sink.OnSocket(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.Established, LocalPort = 40000, RemotePort = 80 });
        return new DumpResult(false, 0);
    }

    private static void Spend(TimeSpan amount)
    {
        var start = ThreadCpuClock.Now() ?? throw new InvalidOperationException("the thread CPU clock cannot be read");
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var x = 1UL;
        while (ThreadCpuClock.Now() - start < amount)
        {
            if (wall.Elapsed > WallLimit) throw new TimeoutException($"could not spend {amount} of CPU in {WallLimit}");
            for (var i = 0; i < 10_000; i++) x = (x * 6364136223846793005UL) + 1442695040888963407UL;
        }

        GC.KeepAlive(x);
    }

    public void Dispose()
    {
    }
}
