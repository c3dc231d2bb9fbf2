using TcpState.Core;

namespace TcpState.Kernel.Proc;

/// <summary>What the attribution cache remembers of one process between walks.</summary>
internal sealed class CachedProcess(SocketOwner owner, int index)
{
    public SocketOwner Owner { get; } = owner;

    /// <summary>Its owner index in the inode table, unique among the cached processes (reused after it exits).</summary>
    public int Index { get; } = index;

    /// <summary>Open fds when last scanned (st_size of /proc/PID/fd); 0 when the kernel does not report it.</summary>
    public long FdCount { get; set; } = -1;

    /// <summary>The socket inodes found at the last scan.</summary>
    public uint[] Inodes { get; set; } = [];

    /// <summary>Its fds could not be read (no permission): it holds no known sockets.</summary>
    public bool Unreadable { get; set; }

    /// <summary>Walk number at which the process was last seen in /proc.</summary>
    public long SeenInWalk { get; set; }
}
