namespace TcpState.Core;

/// <summary>
/// What follows one socket across samples: the kernel's socket cookie when the source has it
/// (netlink), else the inode and the 4-tuple (/proc), together with the state, so that a socket
/// moving to another state starts a new age.
/// </summary>
public readonly record struct SocketIdentity(ulong Primary, ulong Secondary, int StateIndex)
{
    public static SocketIdentity Of(in SocketRecord socket, int stateIndex) =>
        socket.Cookie != 0
            ? new SocketIdentity(socket.Cookie, 0, stateIndex)
            : new SocketIdentity(
                socket.Inode | ((ulong)socket.LocalPort << 32) | ((ulong)socket.RemotePort << 48),
                (ulong)HashCode.Combine(socket.LocalAddress, socket.RemoteAddress, socket.Family),
                stateIndex);
}
