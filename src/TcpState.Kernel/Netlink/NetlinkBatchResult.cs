namespace TcpState.Kernel.Netlink;

/// <summary>What parsing one datagram found.</summary>
/// <param name="Status">Whether the dump goes on, ended, or failed.</param>
/// <param name="Errno">The positive errno when <paramref name="Status"/> is <see cref="NetlinkBatchStatus.Error"/>.</param>
/// <param name="Interrupted">A message carried <c>NLM_F_DUMP_INTR</c>: the dump is inconsistent.</param>
/// <param name="Sockets">Socket records reported to the sink.</param>
/// <param name="Malformed">Messages skipped because they were too short or framed wrongly.</param>
public readonly record struct NetlinkBatchResult(NetlinkBatchStatus Status, int Errno, bool Interrupted, long Sockets, long Malformed);
