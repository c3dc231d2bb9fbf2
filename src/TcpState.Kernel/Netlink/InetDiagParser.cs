using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TcpState.Core;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// Parses the datagrams of a <c>SOCK_DIAG_BY_FAMILY</c> dump: a sequence of <c>struct nlmsghdr</c>
/// (include/uapi/linux/netlink.h), each followed by a <c>struct inet_diag_msg</c>
/// (include/uapi/linux/inet_diag.h), ending with <c>NLMSG_DONE</c>. Pure: no I/O, no allocation.
/// </summary>
public static class InetDiagParser
{
    /// <summary>
    /// Parses one datagram, reporting each socket of the dump with <paramref name="sequence"/> to
    /// <paramref name="sink"/>. Messages of other dumps are skipped. A message whose framing is
    /// broken ends the datagram (what follows cannot be found) and counts as malformed; a message
    /// that is framed well but too short for its type is skipped and counted.
    /// </summary>
    public static NetlinkBatchResult ParseDatagram<TSink>(ReadOnlySpan<byte> datagram, uint sequence, TSink sink)
        where TSink : ISocketSink
    {
        long sockets = 0, malformed = 0;
        var interrupted = false;
        var offset = 0;
        while (offset < datagram.Length)
        {
            var remaining = datagram[offset..];
            if (remaining.Length < NetlinkConstants.NlMsgHeaderLength)
            {
                malformed++;
                break;
            }

            var length = MemoryMarshal.Read<uint>(remaining);
            if (length < NetlinkConstants.NlMsgHeaderLength || length > (uint)remaining.Length)
            {
                malformed++;
                break;
            }

            var message = remaining[..(int)length];
            var type = MemoryMarshal.Read<ushort>(message[4..]);
            var flags = MemoryMarshal.Read<ushort>(message[6..]);
            var messageSequence = MemoryMarshal.Read<uint>(message[8..]);
            offset += Math.Min((int)((length + 3) & ~3u), remaining.Length);

            if (messageSequence != sequence)
            {
                continue; // left over from an earlier, abandoned dump
            }

            interrupted |= (flags & NetlinkConstants.NlmFDumpIntr) != 0;
            var payload = message[NetlinkConstants.NlMsgHeaderLength..];
            switch (type)
            {
                case NetlinkConstants.SockDiagByFamily:
                    if (TryReadSocket(payload, out var socket))
                    {
                        sink.OnSocket(socket);
                        sockets++;
                    }
                    else
                    {
                        malformed++;
                    }

                    break;
                case NetlinkConstants.NlMsgDone:
                    // The payload is the dump's final return value (int); negative is -errno.
                    var done = payload.Length >= 4 ? MemoryMarshal.Read<int>(payload) : 0;
                    return done < 0
                        ? new NetlinkBatchResult(NetlinkBatchStatus.Error, Errno(done), interrupted, sockets, malformed)
                        : new NetlinkBatchResult(NetlinkBatchStatus.Done, 0, interrupted, sockets, malformed);
                case NetlinkConstants.NlMsgError:
                    // struct nlmsgerr: int error, then the request's header. 0 is an acknowledgement.
                    if (payload.Length < 4)
                    {
                        malformed++;
                        break;
                    }

                    var error = MemoryMarshal.Read<int>(payload);
                    if (error != 0)
                    {
                        return new NetlinkBatchResult(NetlinkBatchStatus.Error, Errno(error), interrupted, sockets, malformed);
                    }

                    break;
                default:
                    break; // NLMSG_NOOP, NLMSG_OVERRUN and types we do not know carry no sockets
            }
        }

        return new NetlinkBatchResult(NetlinkBatchStatus.More, 0, interrupted, sockets, malformed);
    }

    // The kernel sends -errno; a corrupt int.MinValue has no positive counterpart.
    private static int Errno(int code) => code == int.MinValue ? int.MaxValue : Math.Abs(code);

    /// <summary>Decodes a <c>struct inet_diag_msg</c>; false when it is too short or not of an inet family.</summary>
    public static bool TryReadSocket(ReadOnlySpan<byte> payload, out SocketRecord socket)
    {
        if (payload.Length < NetlinkConstants.InetDiagMsgLength
            || (payload[0] != AddressFamilies.Inet && payload[0] != AddressFamilies.Inet6))
        {
            socket = default;
            return false;
        }

        // Offsets of struct inet_diag_msg: +0 family, +1 state, +4 be16 sport, +6 be16 dport,
        // +8 src[16], +24 dst[16] (network order), +44 u32 cookie[2], +56 rqueue, +60 wqueue,
        // +64 uid, +68 inode (host order).
        socket = new SocketRecord
        {
            Family = payload[0],
            State = payload[1],
            LocalPort = BinaryPrimitives.ReadUInt16BigEndian(payload[4..]),
            RemotePort = BinaryPrimitives.ReadUInt16BigEndian(payload[6..]),
            LocalAddress = InetAddress.FromNetworkBytes(payload.Slice(8, 16)),
            RemoteAddress = InetAddress.FromNetworkBytes(payload.Slice(24, 16)),
            Cookie = MemoryMarshal.Read<uint>(payload[44..]) | ((ulong)MemoryMarshal.Read<uint>(payload[48..]) << 32),
            ReceiveQueue = MemoryMarshal.Read<uint>(payload[56..]),
            SendQueue = MemoryMarshal.Read<uint>(payload[60..]),
            Uid = MemoryMarshal.Read<uint>(payload[64..]),
            Inode = MemoryMarshal.Read<uint>(payload[68..]),
        };
        return true;
    }
}
