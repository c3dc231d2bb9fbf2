using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>Keeps every socket a source reports, for assertions.</summary>
public sealed class RecordingSink : ISocketSink
{
    public List<SocketRecord> Sockets { get; } = [];

    public void OnSocket(in SocketRecord socket) => Sockets.Add(socket);

    public long[] CountByState()
    {
        var counts = new long[StateLabel.Count];
        foreach (var socket in Sockets) counts[StateLabel.FromKernel(socket.State)]++;
        return counts;
    }
}
