using System.Runtime.InteropServices;
using TcpState.Core;

namespace TcpState.Kernel.Proc;

/// <summary>
/// Parses one line of <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c>, as printed by
/// <c>get_tcp4_sock</c>/<c>get_tcp6_sock</c> (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c):
/// <c>sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...</c>.
/// Addresses are the in-memory (network order) bytes printed as host-order 32-bit words, ports
/// and the state are hexadecimal, uid and inode decimal. Pure: no I/O, no allocation.
/// </summary>
public static class ProcNetTcpParser
{
    /// <summary>True for the column header line that starts every file.</summary>
    public static bool IsHeader(ReadOnlySpan<byte> line) => line.IndexOf("local_address"u8) >= 0;

    /// <summary>Parses a socket line; false when the line is malformed (the caller counts and skips it).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, byte family, out SocketRecord socket)
    {
        socket = default;
        var addressLength = family == AddressFamilies.Inet ? 8 : 32;
        Span<Range> fields = stackalloc Range[11];
        if (Split(line, fields) < 10)
        {
            return false;
        }

        if (!TryParseEndpoint(line[fields[1]], addressLength, out var localAddress, out var localPort)
            || !TryParseEndpoint(line[fields[2]], addressLength, out var remoteAddress, out var remotePort)
            || !TryParseHex(line[fields[3]], 2, out var state)
            || !TryParseQueues(line[fields[4]], out var sendQueue, out var receiveQueue)
            || !TryParseDecimal(line[fields[7]], out var uid)
            || !TryParseDecimal(line[fields[9]], out var inode))
        {
            return false;
        }

        socket = new SocketRecord
        {
            Family = family,
            State = (byte)state,
            LocalAddress = localAddress,
            LocalPort = (ushort)localPort,
            RemoteAddress = remoteAddress,
            RemotePort = (ushort)remotePort,
            SendQueue = sendQueue,
            ReceiveQueue = receiveQueue,
            Uid = (uint)uid,
            Inode = (uint)inode,
        };
        return true;
    }

    // Splits on runs of spaces; returns the number of fields found (at most fields.Length).
    private static int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var i = 0;
        while (count < fields.Length)
        {
            while (i < line.Length && line[i] == (byte)' ') i++;
            if (i == line.Length) break;
            var start = i;
            while (i < line.Length && line[i] != (byte)' ') i++;
            fields[count++] = new Range(start, i);
        }

        return count;
    }

    // "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6).
    private static bool TryParseEndpoint(ReadOnlySpan<byte> text, int addressLength, out InetAddress address, out uint port)
    {
        address = default;
        port = 0;
        if (text.Length != addressLength + 5 || text[addressLength] != (byte)':'
            || !TryParseHex(text[(addressLength + 1)..], 4, out port))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        for (var word = 0; word < addressLength / 8; word++)
        {
            if (!TryParseHex(text.Slice(word * 8, 8), 8, out var value))
            {
                return false;
            }

            // The kernel printed the address's memory as a host-order word: writing the word back
            // in host order restores the network-order bytes.
            MemoryMarshal.Write(bytes[(word * 4)..], value);
        }

        address = InetAddress.FromNetworkBytes(bytes);
        return true;
    }

    private static bool TryParseQueues(ReadOnlySpan<byte> text, out uint sendQueue, out uint receiveQueue)
    {
        receiveQueue = 0;
        var colon = text.IndexOf((byte)':');
        sendQueue = 0;
        return colon == 8 && TryParseHex(text[..8], 8, out sendQueue) && TryParseHex(text[9..], 8, out receiveQueue);
    }

    private static bool TryParseHex(ReadOnlySpan<byte> text, int digits, out uint value)
    {
        value = 0;
        if (text.Length != digits)
        {
            return false;
        }

        foreach (var c in text)
        {
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 19)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return true;
    }
}
