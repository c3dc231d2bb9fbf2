using TcpState.Core;

namespace TcpState.Tests.Fuzz;

/// <summary>Keeps the records a parser reports; reused from case to case so that a run allocates little.</summary>
public sealed class CollectingSink : ISocketSink
{
    public List<SocketRecord> Records { get; } = [];

    public void OnSocket(in SocketRecord socket) => Records.Add(socket);

    public void Clear() => Records.Clear();
}
