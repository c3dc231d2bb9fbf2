namespace TcpState.Core;

/// <summary>Linux address family numbers (include/linux/socket.h) as the kernel reports them.</summary>
public static class AddressFamilies
{
    /// <summary>AF_INET.</summary>
    public const byte Inet = 2;

    /// <summary>AF_INET6.</summary>
    public const byte Inet6 = 10;
}
