using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using TcpState.Core;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Writes <c>/proc/net/tcp{,6}</c> lines the way <c>get_tcp4_sock</c>/<c>get_tcp6_sock</c>
/// (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c) print them, from a known record, with the freedoms a
/// reader must accept (column padding, hex case, how many trailing fields), so that the parser's
/// answer can be compared with the record exactly.
/// </summary>
public static class ProcLineModel
{
    /// <summary>Fields the parser reads: local, remote, state, queues, uid, inode. The others it must ignore.</summary>
    public static readonly int[] CheckedFields = [1, 2, 3, 4, 7, 9];

    public static SocketRecord RandomRecord(FuzzRandom rng, byte family)
    {
        Span<byte> local = stackalloc byte[16];
        Span<byte> remote = stackalloc byte[16];
        local.Clear();
        remote.Clear();
        var length = family == AddressFamilies.Inet ? 4 : 16;
        rng.Fill(local[..length]);
        rng.Fill(remote[..length]);
        return new SocketRecord
        {
            Family = family,
            State = rng.OneIn(4) ? rng.NextByte() : (byte)rng.Between(1, 12),
            LocalAddress = InetAddress.FromNetworkBytes(local),
            LocalPort = (ushort)rng.NextUInt32(),
            RemoteAddress = InetAddress.FromNetworkBytes(remote),
            RemotePort = (ushort)rng.NextUInt32(),
            SendQueue = Small(rng),
            ReceiveQueue = Small(rng),
            Uid = rng.OneIn(3) ? 0 : Small(rng),
            Inode = rng.OneIn(4) ? 0 : rng.NextUInt32(),
        };
    }

    /// <summary>The fields of a kernel line for <paramref name="record"/> (sl first), ready to be joined by spaces.</summary>
    public static List<string> Fields(FuzzRandom rng, in SocketRecord record, int slot)
    {
        var upper = !rng.OneIn(8);
        var fields = new List<string>
        {
            slot.ToString(CultureInfo.InvariantCulture) + ":",
            Endpoint(record.LocalAddress, record.LocalPort, record.Family, Case(rng, upper)),
            Endpoint(record.RemoteAddress, record.RemotePort, record.Family, Case(rng, upper)),
            Hex(record.State, 2, Case(rng, upper)),
            Hex(record.SendQueue, 8, Case(rng, upper)) + ":" + Hex(record.ReceiveQueue, 8, Case(rng, upper)),
            Hex((uint)rng.Below(5), 2, upper) + ":" + Hex(rng.NextUInt32(), 8, upper),
            Hex((uint)rng.Below(16), 8, upper),
            Decimal(record.Uid, rng),
            rng.Below(10).ToString(CultureInfo.InvariantCulture),
            Decimal(record.Inode, rng),
        };

        // A full socket prints 10 more fields, a timewait or request socket 2: any number must do.
        var extra = rng.Below(4) switch
        {
            0 => 0,
            1 => 2,
            2 => 10,
            _ => rng.Below(14),
        };
        for (var i = 0; i < extra; i++)
        {
            fields.Add(rng.Below(3) switch
            {
                0 => rng.Below(100).ToString(CultureInfo.InvariantCulture),
                1 => Hex(rng.NextUInt32(), 16, upper: false),
                _ => "-1",
            });
        }

        return fields;
    }

    /// <summary>Joins fields with the kernel's column padding (1 to 3 spaces), a leading pad, maybe trailing spaces.</summary>
    public static string Join(FuzzRandom rng, IReadOnlyList<string> fields)
    {
        var line = new StringBuilder();
        line.Append(' ', rng.Below(5));
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(' ', rng.OneIn(4) ? rng.Between(2, 8) : 1);
            }

            line.Append(fields[i]);
        }

        if (rng.OneIn(4))
        {
            line.Append(' ', rng.Between(1, 40)); // the kernel pads IPv4 lines to a fixed width
        }

        return line.ToString();
    }

    /// <summary>The same record in the kernel's exact format, for round-trip checks.</summary>
    public static string Canonical(in SocketRecord record) =>
        $"   0: {Endpoint(record.LocalAddress, record.LocalPort, record.Family, true)} {Endpoint(record.RemoteAddress, record.RemotePort, record.Family, true)} " +
        $"{Hex(record.State, 2, true)} {Hex(record.SendQueue, 8, true)}:{Hex(record.ReceiveQueue, 8, true)} 00:00000000 00000000 " +
        $"{record.Uid,5} 0 {record.Inode} 1 0000000000000000 100 0 0 10 0";

    /// <summary>A token that the field's parser must refuse: a non-hex or non-digit character, or a wrong length.</summary>
    public static string Invalid(FuzzRandom rng, int field, string valid)
    {
        if (rng.Coin() || valid.Length < 2)
        {
            // A character outside the field's alphabet at a random position.
            var bad = field is 7 or 9 ? rng.Pick<char>(['a', 'F', 'x', '-', '+', '.', '\u00e9']) : rng.Pick<char>(['G', 'g', 'x', '-', '+', '.', 'Z', '\u00e9']);
            var at = rng.Below(valid.Length + 1);
            return field is 7 or 9 || rng.Coin() ? valid.Insert(at, bad.ToString()) : valid.Remove(Math.Min(at, valid.Length - 1), 1).Insert(Math.Min(at, valid.Length - 1), bad.ToString());
        }

        // Wrong length: hex fields are fixed-width; decimals allow at most 19 digits.
        return field is 7 or 9 ? new string('9', 20) : valid.Remove(rng.Below(valid.Length), 1);
    }

    private static string Endpoint(InetAddress address, ushort port, byte family, bool upper)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.WriteNetworkBytes(bytes);
        var words = family == AddressFamilies.Inet ? 1 : 4;
        var text = new StringBuilder(40);
        for (var i = 0; i < words; i++)
        {
            // The kernel prints the address's memory as host-order 32-bit words.
            text.Append(Hex(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]), 8, upper));
        }

        return text.Append(':').Append(Hex(port, 4, upper)).ToString();
    }

    private static string Hex(uint value, int digits, bool upper) =>
        value.ToString(upper ? "X" + digits.ToString(CultureInfo.InvariantCulture) : "x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Decimal(uint value, FuzzRandom rng) =>
        (rng.OneIn(10) ? "000" : "") + value.ToString(CultureInfo.InvariantCulture);

    private static bool Case(FuzzRandom rng, bool upper) => rng.OneIn(10) ? !upper : upper;

    private static uint Small(FuzzRandom rng) => rng.Below(3) switch
    {
        0 => 0,
        1 => (uint)rng.Below(70000),
        _ => rng.NextUInt32(),
    };
}
