using TcpState.Core;

namespace TcpState.Benchmarks.Attribution;

/// <summary>A sink that only counts: a dump into it costs the kernel and the parser, nothing of the sampler.</summary>
internal sealed class CountingSink : ISocketSink
{
    public long Sockets { get; private set; }

    public void OnSocket(in SocketRecord socket) => Sockets++;
}
