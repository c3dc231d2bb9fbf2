using System.Runtime.InteropServices;
using TcpState.Core;

namespace TcpState.Kernel.Netlink;

/// <summary>A NETLINK_SOCK_DIAG socket through libc, in the calling thread's network namespace.</summary>
internal sealed unsafe class LibcNetlinkTransport : INetlinkTransport
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);
    private int _fd;

    private LibcNetlinkTransport(int fd) => _fd = fd;

    /// <exception cref="SocketTableException">The socket cannot be created (seccomp, a sandbox, no netlink).</exception>
    public static LibcNetlinkTransport Open()
    {
        var fd = LibC.socket(NetlinkConstants.AfNetlink, NetlinkConstants.SockRaw | NetlinkConstants.SockCloexec, NetlinkConstants.NetlinkSockDiag);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SocketTableException(NetlinkErrors.Reason(errno), $"cannot open a NETLINK_SOCK_DIAG socket: {NetlinkErrors.Describe(errno)}");
        }

        // A bound on how long one recv may block, so a kernel that stops answering fails the
        // sample instead of hanging the sampler forever.
        var timeout = stackalloc long[2] { (long)ReceiveTimeout.TotalSeconds, 0 };
        LibC.setsockopt(fd, NetlinkConstants.SolSocket, NetlinkConstants.SoRcvTimeo, timeout, sizeof(long) * 2);
        return new LibcNetlinkTransport(fd);
    }

    public int Send(ReadOnlySpan<byte> request)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        fixed (byte* data = request)
        {
            while (LibC.send(_fd, data, request.Length, 0) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != NetlinkConstants.EIntr) return errno;
            }
        }

        return 0;
    }

    public int Receive(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        fixed (byte* data = buffer)
        {
            while (true)
            {
                // MSG_TRUNC: the return value is the datagram's real length, so truncation shows.
                var received = LibC.recv(_fd, data, buffer.Length, NetlinkConstants.MsgTrunc);
                if (received >= 0) return (int)Math.Min(received, int.MaxValue);
                var errno = Marshal.GetLastPInvokeError();
                if (errno != NetlinkConstants.EIntr) return -errno;
            }
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }
}
