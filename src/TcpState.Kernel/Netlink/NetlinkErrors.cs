using System.Runtime.InteropServices;

namespace TcpState.Kernel.Netlink;

/// <summary>How netlink errors are named in messages and in the <c>reason</c> label.</summary>
public static class NetlinkErrors
{
    public const int EPERM = 1;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EINVAL = 22;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;
    public const int ENOBUFS = 105;

    /// <summary>The reasons this reader reports, for pre-filling the error counter.</summary>
    public static readonly IReadOnlyList<string> Reasons =
        ["netlink_denied", "netlink_unsupported", "netlink_overrun", "netlink_error", "timeout", "truncated"];

    /// <summary>
    /// The <c>reason</c> label: <c>netlink_denied</c> (EPERM, EACCES: seccomp, an LSM, a sandbox),
    /// <c>netlink_unsupported</c> (EINVAL, EOPNOTSUPP, EAFNOSUPPORT: an old or restricted kernel),
    /// <c>netlink_overrun</c> (ENOBUFS: the socket's receive buffer overflowed; retried) or
    /// <c>netlink_error</c>.
    /// </summary>
    public static string Reason(int errno) => errno switch
    {
        EPERM or EACCES => "netlink_denied",
        EINVAL or EOPNOTSUPP or EAFNOSUPPORT => "netlink_unsupported",
        ENOBUFS => "netlink_overrun",
        _ => "netlink_error",
    };

    /// <summary>Errors worth a second try within the same sample.</summary>
    public static bool IsTransient(int errno) => errno == ENOBUFS;

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
