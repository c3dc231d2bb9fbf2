using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A socket-table source whose dumps block for a set time on the real clock (a table too large
/// for the interval), counting how many dumps run at once.
/// </summary>
public sealed class SlowSource(TimeSpan dumpDuration) : ISocketTableSource
{
    private int _running;
    private int _maxRunning;
    private int _dumps;
    private int _slowDumpsLeft = int.MaxValue;

    public string Name => "slow";

    public bool ReportsListenQueueLimit => true;

    /// <summary>The most dumps that were ever running at the same time.</summary>
    public int MaxConcurrentDumps => Volatile.Read(ref _maxRunning);

    public int Dumps => Volatile.Read(ref _dumps);

    /// <summary>Makes only the next <paramref name="count"/> dumps slow; later ones return at once.</summary>
    public SlowSource SlowFor(int count)
    {
        Volatile.Write(ref _slowDumpsLeft, count);
        return this;
    }

    public void DumpListeners(ISocketSink sink)
    {
    }

    public DumpResult Dump(ISocketSink sink)
    {
        var running = Interlocked.Increment(ref _running);
        try
        {
            for (var seen = Volatile.Read(ref _maxRunning); running > seen; seen = Volatile.Read(ref _maxRunning))
            {
                Interlocked.CompareExchange(ref _maxRunning, running, seen);
            }

            Interlocked.Increment(ref _dumps);
            if (Interlocked.Decrement(ref _slowDumpsLeft) >= 0)
            {
                Thread.Sleep(dumpDuration);
            }

            sink.OnSocket(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.Established, LocalPort = 40000, RemotePort = 80 });
            return new DumpResult(false, 0);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public void Dispose()
    {
    }
}
