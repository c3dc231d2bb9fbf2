using System.Runtime.InteropServices;
using TcpState.Core;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// Reads the TCP socket table of the network namespace it was opened in through a
/// <c>NETLINK_SOCK_DIAG</c> dump. One socket and one pinned 64 KiB buffer are reused for every
/// dump, so a sample allocates nothing per socket. Not thread-safe.
/// </summary>
public sealed unsafe class InetDiagReader : ISocketTableSource
{
    // The kernel fills at most ~32 KiB per datagram of a dump; 64 KiB always holds one.
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private int _fd;
    private uint _sequence;

    private InetDiagReader(int fd) => _fd = fd;

    public string Name => "netlink";

    public bool ReportsListenQueueLimit => true;

    /// <summary>Opens a netlink socket in the calling thread's network namespace.</summary>
    /// <exception cref="SocketTableException">Netlink is not available (blocked by seccomp, a sandbox, or an old kernel).</exception>
    public static InetDiagReader Open()
    {
        var fd = LibC.socket(NetlinkConstants.AfNetlink, NetlinkConstants.SockRaw | NetlinkConstants.SockCloexec, NetlinkConstants.NetlinkSockDiag);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SocketTableException("netlink_error", $"cannot open a NETLINK_SOCK_DIAG socket: {Describe(errno)}");
        }

        // A bound on how long one recv may block, so a kernel that stops answering fails the
        // sample instead of hanging the sampler forever.
        var timeout = stackalloc long[2] { (long)ReceiveTimeout.TotalSeconds, 0 };
        LibC.setsockopt(fd, NetlinkConstants.SolSocket, NetlinkConstants.SoRcvTimeo, timeout, sizeof(long) * 2);
        return new InetDiagReader(fd);
    }

    public void DumpListeners(ISocketSink sink)
    {
        // Cheap: a LISTEN-only dump walks the listening hash, not the established one.
        DumpFamily(AddressFamilies.Inet, NetlinkConstants.ListenOnly, sink);
        DumpFamily(AddressFamilies.Inet6, NetlinkConstants.ListenOnly, sink);
    }

    public DumpResult Dump(ISocketSink sink)
    {
        var inet = DumpFamily(AddressFamilies.Inet, NetlinkConstants.AllStates, sink);
        if (inet.Interrupted)
        {
            return inet;
        }

        var inet6 = DumpFamily(AddressFamilies.Inet6, NetlinkConstants.AllStates, sink);
        return new DumpResult(inet6.Interrupted, inet.MalformedRecords + inet6.MalformedRecords);
    }

    private DumpResult DumpFamily(byte family, uint states, ISocketSink sink)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var sequence = ++_sequence;
        fixed (byte* buffer = _buffer)
        {
            InetDiagRequest.Write(_buffer, family, states, sequence);
            while (LibC.send(_fd, buffer, InetDiagRequest.Length, 0) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != NetlinkConstants.EIntr)
                {
                    throw new SocketTableException("netlink_error", $"cannot send the {FamilyName(family)} dump request: {Describe(errno)}");
                }
            }

            long malformed = 0;
            var interrupted = false;
            while (true)
            {
                var received = LibC.recv(_fd, buffer, BufferSize, NetlinkConstants.MsgTrunc);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == NetlinkConstants.EIntr) continue;
                    throw errno == NetlinkConstants.EAgain
                        ? new SocketTableException("timeout", $"the kernel sent nothing for {ReceiveTimeout.TotalSeconds:0} s during the {FamilyName(family)} dump")
                        : new SocketTableException("netlink_error", $"cannot receive the {FamilyName(family)} dump: {Describe(errno)}");
                }

                if (received == 0)
                {
                    throw new SocketTableException("netlink_error", $"the {FamilyName(family)} dump ended without NLMSG_DONE");
                }

                if (received > BufferSize)
                {
                    throw new SocketTableException("truncated", $"a {received}-byte datagram of the {FamilyName(family)} dump does not fit the {BufferSize}-byte buffer");
                }

                var batch = InetDiagParser.ParseDatagram(new ReadOnlySpan<byte>(buffer, (int)received), sequence, sink);
                malformed += batch.Malformed;
                interrupted |= batch.Interrupted;
                switch (batch.Status)
                {
                    case NetlinkBatchStatus.Done:
                        return new DumpResult(interrupted, malformed);
                    case NetlinkBatchStatus.Error:
                        throw new SocketTableException("netlink_error", $"the kernel refused the {FamilyName(family)} dump: {Describe(batch.Errno)}");
                }
            }
        }
    }

    private static string FamilyName(byte family) => family == AddressFamilies.Inet ? "IPv4" : "IPv6";

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }
}
