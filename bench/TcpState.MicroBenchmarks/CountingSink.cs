using TcpState.Core;

namespace TcpState.MicroBenchmarks;

/// <summary>A sink that only counts, so a parser benchmark times the parser.</summary>
internal sealed class CountingSink : ISocketSink
{
    public long Sockets { get; private set; }

    public void OnSocket(in SocketRecord socket) => Sockets++;
}
