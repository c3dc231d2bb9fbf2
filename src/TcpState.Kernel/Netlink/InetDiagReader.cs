using TcpState.Core;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// Reads the TCP socket table of the network namespace it was opened in through a
/// <c>NETLINK_SOCK_DIAG</c> dump. One socket and one pinned 64 KiB buffer are reused for every
/// dump, so a sample allocates nothing per socket. Not thread-safe.
/// </summary>
public sealed class InetDiagReader : ISocketTableSource
{
    // The kernel fills at most ~32 KiB per datagram of a dump; 64 KiB always holds one.
    private const int BufferSize = 64 * 1024;

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly INetlinkTransport _transport;
    private uint _sequence;
    private bool _disposed;

    /// <summary>A reader over any transport (tests replay captured replies through one).</summary>
    public InetDiagReader(INetlinkTransport transport) => _transport = transport;

    public string Name => "netlink";

    public bool ReportsListenQueueLimit => true;

    /// <summary>Opens a netlink socket in the calling thread's network namespace.</summary>
    /// <exception cref="SocketTableException">Netlink is not available (blocked by seccomp, a sandbox, or an old kernel).</exception>
    public static InetDiagReader Open() => new(LibcNetlinkTransport.Open());

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
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sequence = ++_sequence;
        InetDiagRequest.Write(_buffer, family, states, sequence);
        var sendError = _transport.Send(_buffer.AsSpan(0, InetDiagRequest.Length));
        if (sendError != 0)
        {
            throw Failure(sendError, $"cannot send the {FamilyName(family)} dump request");
        }

        long malformed = 0;
        var interrupted = false;
        while (true)
        {
            var received = _transport.Receive(_buffer);
            if (received < 0)
            {
                throw -received == NetlinkErrors.EAGAIN
                    ? new SocketTableException("timeout", $"the kernel sent nothing for 30 s during the {FamilyName(family)} dump")
                    : Failure(-received, $"cannot receive the {FamilyName(family)} dump");
            }

            if (received == 0)
            {
                throw new SocketTableException("netlink_error", $"the {FamilyName(family)} dump ended without NLMSG_DONE");
            }

            if (received > BufferSize)
            {
                throw new SocketTableException("truncated", $"a {received}-byte datagram of the {FamilyName(family)} dump does not fit the {BufferSize}-byte buffer");
            }

            var batch = InetDiagParser.ParseDatagram(_buffer.AsSpan(0, received), sequence, sink);
            malformed += batch.Malformed;
            interrupted |= batch.Interrupted;
            switch (batch.Status)
            {
                case NetlinkBatchStatus.Done:
                    return new DumpResult(interrupted, malformed);
                case NetlinkBatchStatus.Error:
                    throw Failure(batch.Errno, $"the kernel refused the {FamilyName(family)} dump");
            }
        }
    }

    private static SocketTableException Failure(int errno, string what) =>
        new(NetlinkErrors.Reason(errno), $"{what}: {NetlinkErrors.Describe(errno)}") { Transient = NetlinkErrors.IsTransient(errno) };

    private static string FamilyName(byte family) => family == AddressFamilies.Inet ? "IPv4" : "IPv6";

    public void Dispose()
    {
        _disposed = true;
        _transport.Dispose();
    }
}
