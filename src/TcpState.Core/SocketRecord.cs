namespace TcpState.Core;

/// <summary>
/// One TCP socket as a kernel source reports it. A value type so that a dump of a million sockets
/// allocates nothing per socket.
/// </summary>
public readonly struct SocketRecord
{
    /// <summary><see cref="AddressFamilies.Inet"/> or <see cref="AddressFamilies.Inet6"/>.</summary>
    public byte Family { get; init; }

    /// <summary>The kernel state number (see <see cref="KernelTcpState"/>); may be one this build does not know.</summary>
    public byte State { get; init; }

    public ushort LocalPort { get; init; }

    public ushort RemotePort { get; init; }

    public InetAddress LocalAddress { get; init; }

    public InetAddress RemoteAddress { get; init; }

    /// <summary>Socket inode; 0 for TIME_WAIT, request and orphaned sockets, which no process owns.</summary>
    public uint Inode { get; init; }

    public uint Uid { get; init; }

    /// <summary>The kernel's socket cookie (netlink only; 0 from /proc).</summary>
    public ulong Cookie { get; init; }

    /// <summary>Receive queue; for LISTEN sockets the current accept-queue length.</summary>
    public uint ReceiveQueue { get; init; }

    /// <summary>Send queue; for LISTEN sockets (netlink only) the accept-queue limit.</summary>
    public uint SendQueue { get; init; }
}
