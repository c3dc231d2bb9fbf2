using TcpState.Core;

namespace TcpState.Benchmarks.Attribution;

/// <summary>Keeps the inodes of one dump (0, no process, left out), to replay the per-socket attribution lookups alone.</summary>
internal sealed class InodeCollector : ISocketSink
{
    public List<uint> Inodes { get; } = [];

    public void OnSocket(in SocketRecord socket)
    {
        if (socket.Inode != 0)
        {
            Inodes.Add(socket.Inode);
        }
    }
}
