using System.Buffers.Binary;
using System.Net;

namespace TcpState.Core;

/// <summary>
/// A socket address in the kernel's layout: 16 bytes in network byte order, of which an IPv4
/// address uses the first 4 (as <c>inet_diag_sockid.idiag_src</c> does).
/// </summary>
public readonly record struct InetAddress(ulong High, ulong Low)
{
    /// <summary>Reads 16 bytes in network order.</summary>
    public static InetAddress FromNetworkBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    /// <summary>Writes the 16 bytes in network order.</summary>
    public void WriteNetworkBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>True for ::ffff:a.b.c.d, the form in which an AF_INET6 socket carries IPv4 peers.</summary>
    public bool IsIPv4Mapped => High == 0 && (Low >> 32) == 0xFFFF;

    /// <summary>Converts to <see cref="IPAddress"/> (allocates; for display and tests, not the sampling path).</summary>
    public IPAddress ToIPAddress(byte family)
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteNetworkBytes(bytes);
        return family == AddressFamilies.Inet ? new IPAddress(bytes[..4]) : new IPAddress(bytes);
    }
}
