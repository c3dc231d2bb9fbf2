namespace TcpState.Kernel.Netlink;

/// <summary>Where a dump stands after one batch of messages.</summary>
public enum NetlinkBatchStatus
{
    /// <summary>More datagrams follow.</summary>
    More,

    /// <summary><c>NLMSG_DONE</c> arrived: the dump is complete.</summary>
    Done,

    /// <summary>The kernel answered with an error (<c>NLMSG_ERROR</c>, or a negative <c>NLMSG_DONE</c>).</summary>
    Error,
}
