using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A socket-table source that plays back what the test scripts, for the sampler's failure paths
/// (the kernel cannot be made to fail on cue). Real-kernel behaviour is covered by the live tests.
/// </summary>
public sealed class ScriptedSource : ISocketTableSource
{
    private readonly Queue<Func<ISocketSink, DumpResult>> _dumps = new();

    public string Name => "scripted";

    public bool ReportsListenQueueLimit => true;

    public List<SocketRecord> Sockets { get; } = [];

    public int Dumps { get; private set; }

    /// <summary>Queues what the next dumps do; once the queue is empty every dump succeeds.</summary>
    public ScriptedSource Then(Func<ISocketSink, DumpResult> dump)
    {
        _dumps.Enqueue(dump);
        return this;
    }

    public ScriptedSource ThenFail(string reason) => Then(_ => throw new SocketTableException(reason, $"scripted {reason}"));

    public ScriptedSource ThenInterrupt() => Then(_ => new DumpResult(true, 0));

    public void DumpListeners(ISocketSink sink)
    {
        foreach (var socket in Sockets.Where(s => s.State == (byte)KernelTcpState.Listen)) sink.OnSocket(socket);
    }

    public DumpResult Dump(ISocketSink sink)
    {
        Dumps++;
        foreach (var socket in Sockets) sink.OnSocket(socket);
        return _dumps.Count > 0 ? _dumps.Dequeue()(sink) : new DumpResult(false, 0);
    }

    public void Dispose()
    {
    }
}
