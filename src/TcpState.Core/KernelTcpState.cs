namespace TcpState.Core;

/// <summary>
/// TCP states as the kernel numbers them (include/net/tcp_states.h). Values the enum does not
/// name (TCP_BOUND_INACTIVE = 13 since Linux 6.5, or anything newer) are still valid bytes and are
/// counted as <see cref="StateLabel.Unknown"/>.
/// </summary>
public enum KernelTcpState : byte
{
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
    NewSynRecv = 12,
}
