namespace TcpState.Kernel.Netlink;

/// <summary>
/// Numbers from the uapi headers the netlink code mirrors: include/uapi/linux/netlink.h,
/// include/uapi/linux/sock_diag.h and include/uapi/linux/inet_diag.h.
/// </summary>
internal static class NetlinkConstants
{
    public const int AfNetlink = 16;          // AF_NETLINK
    public const int SockRaw = 3;             // SOCK_RAW
    public const int SockCloexec = 0x80000;   // SOCK_CLOEXEC
    public const int NetlinkSockDiag = 4;     // NETLINK_SOCK_DIAG

    public const int NlMsgHeaderLength = 16;  // sizeof(struct nlmsghdr)
    public const ushort NlMsgNoop = 1;        // NLMSG_NOOP
    public const ushort NlMsgError = 2;       // NLMSG_ERROR
    public const ushort NlMsgDone = 3;        // NLMSG_DONE
    public const ushort NlMsgOverrun = 4;     // NLMSG_OVERRUN
    public const ushort SockDiagByFamily = 20; // SOCK_DIAG_BY_FAMILY

    public const ushort NlmFRequest = 0x1;    // NLM_F_REQUEST
    public const ushort NlmFDumpIntr = 0x10;  // NLM_F_DUMP_INTR
    public const ushort NlmFDump = 0x300;     // NLM_F_ROOT | NLM_F_MATCH

    public const int InetDiagReqV2Length = 56; // sizeof(struct inet_diag_req_v2)
    public const int InetDiagMsgLength = 72;   // sizeof(struct inet_diag_msg)
    public const byte IpProtoTcp = 6;

    /// <summary>
    /// States 0..11 (<c>TCPF_ALL</c> before Linux 6.5): what <c>ss -ta</c> and /proc/net/tcp show.
    /// TCP_BOUND_INACTIVE (bit 13) is left out on purpose: asking for it makes the kernel walk the
    /// bind hash table as well, touching every bound socket a second time.
    /// </summary>
    public const uint AllStates = 0xFFF;

    public const uint ListenOnly = 1u << 10;

    public const int SolSocket = 1;     // SOL_SOCKET
    public const int SoRcvTimeo = 20;   // SO_RCVTIMEO (struct timeval)
    public const int MsgTrunc = 0x20;   // MSG_TRUNC: recv returns the datagram's real length

    public const int EIntr = 4;
    public const int EAgain = 11;
}
