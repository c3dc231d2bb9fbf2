using TcpState.Core;
using TcpState.Kernel;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A socket-table source whose dumps really spend CPU: each spins on the dumping thread until
/// that thread's CPU time (<see cref="CpuClock.Thread"/>) has grown by the dump's cost, as a large
/// table costs the kernel; or, with <paramref name="onAnotherThread"/>, on a thread of its own
/// that the dump waits for, as the runtime's garbage collector and JIT work for a sample. The CPU
/// is spent, not simulated, so a sampler that measured the wrong clock or the wrong thread would
/// see something else.
/// </summary>
public sealed class CpuCostSource(TimeSpan cost, bool onAnotherThread = false) : ISocketTableSource
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
        var amount = _costs.Count > 0 ? _costs.Dequeue() : cost;
        if (onAnotherThread)
        {
            var helper = new Thread(() => Spend(amount)) { IsBackground = true, Name = "cpu-cost" };
            helper.Start();
            helper.Join();
        }
        else
        {
            Spend(amount);
        }

        sink.OnSocket(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.Established, LocalPort = 40000, RemotePort = 80 });
        return new DumpResult(false, 0);
    }

    private static void Spend(TimeSpan amount)
    {
        var start = CpuClock.Thread() ?? throw new InvalidOperationException("the thread CPU clock cannot be read");
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var x = 1UL;
        while (CpuClock.Thread() - start < amount)
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
