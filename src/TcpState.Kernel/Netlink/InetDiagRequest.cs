using System.Runtime.InteropServices;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// Builds a <c>SOCK_DIAG_BY_FAMILY</c> dump request: <c>struct nlmsghdr</c> followed by
/// <c>struct inet_diag_req_v2</c> (include/uapi/linux/inet_diag.h), 72 bytes in all.
/// </summary>
public static class InetDiagRequest
{
    public const int Length = NetlinkConstants.NlMsgHeaderLength + NetlinkConstants.InetDiagReqV2Length;

    public static void Write(Span<byte> destination, byte family, uint states, uint sequence)
    {
        destination = destination[..Length];
        destination.Clear();
        // Netlink headers are in host byte order. nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid (0: the kernel assigns ours).
        MemoryMarshal.Write(destination, (uint)Length);
        MemoryMarshal.Write(destination[4..], (ushort)(NetlinkConstants.SockDiagByFamily));
        MemoryMarshal.Write(destination[6..], (ushort)(NetlinkConstants.NlmFRequest | NetlinkConstants.NlmFDump));
        MemoryMarshal.Write(destination[8..], sequence);
        // inet_diag_req_v2: u8 family, u8 protocol, u8 idiag_ext (0: no extensions, the counts
        // need none and INET_DIAG_INFO alone would triple the bytes), u8 pad, u32 idiag_states,
        // then a zeroed inet_diag_sockid (no filter).
        var request = destination[NetlinkConstants.NlMsgHeaderLength..];
        request[0] = family;
        request[1] = NetlinkConstants.IpProtoTcp;
        MemoryMarshal.Write(request[4..], states);
    }
}
