using System.Buffers.Binary;
using TcpState.Core;
using TcpState.Kernel.Netlink;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// A well-framed <c>SOCK_DIAG_BY_FAMILY</c> reply datagram built message by message from random
/// parts, together with what <see cref="InetDiagParser.ParseDatagram"/> is documented to make of
/// it: every socket message of the dump's sequence before the end, counted malformed messages, the
/// status, errno and <c>NLM_F_DUMP_INTR</c>. Byte layouts from include/uapi/linux/netlink.h and
/// include/uapi/linux/inet_diag.h (host order is little endian on the machines this runs on).
/// </summary>
public sealed class NetlinkDatagramModel
{
    public const int HeaderLength = 16;
    public const int InetDiagMsgLength = 72;

    private const ushort NlMsgNoop = 1, NlMsgError = 2, NlMsgDone = 3, NlMsgOverrun = 4, SockDiagByFamily = 20;
    private const ushort NlmFMulti = 0x2, NlmFDumpIntr = 0x10;

    // Values a kernel, a newer kernel or a broken one could put in an error or done code.
    private static readonly int[] InterestingCodes =
        [0, 1, -1, -4, -16, -22, -95, -105, 22, int.MaxValue, int.MinValue + 1, int.MinValue, -4096, 4096];

    private readonly MemoryStream _bytes = new();

    private NetlinkDatagramModel(uint sequence) => Sequence = sequence;

    /// <summary>The sequence number of the dump the datagram answers.</summary>
    public uint Sequence { get; }

    public List<SocketRecord> ExpectedSockets { get; } = [];

    public long ExpectedMalformed { get; private set; }

    public NetlinkBatchStatus ExpectedStatus { get; private set; } = NetlinkBatchStatus.More;

    /// <summary>The errno expected with <see cref="NetlinkBatchStatus.Error"/>; null when any positive one is right (the code was int.MinValue, whose negation does not exist).</summary>
    public int? ExpectedErrno { get; private set; }

    public bool ExpectedInterrupted { get; private set; }

    /// <summary>What the messages were, for the failure report.</summary>
    public List<string> Layout { get; } = [];

    private bool Ended => ExpectedStatus != NetlinkBatchStatus.More;

    public byte[] ToArray() => _bytes.ToArray();

    public static NetlinkDatagramModel Generate(FuzzRandom rng)
    {
        var model = new NetlinkDatagramModel(rng.NextUInt32());
        var messages = rng.Below(4) == 0 ? rng.Below(40) : rng.Below(10);

        // What follows the end is never read; a broken tail before it ends the datagram as malformed.
        var ending = rng.Below(6);
        for (var i = 0; i < messages; i++)
        {
            model.AddMessage(rng, last: i == messages - 1 && ending > 2);
        }

        switch (ending)
        {
            case 0:
                model.AddTerminator(rng, last: true);
                break;
            case 1:
                model.AddBrokenTail(rng);
                break;
            case 2:
                model.AddTerminator(rng, last: false);
                model.AddMessage(rng, last: false);
                model.AddBrokenTail(rng);
                break;
        }

        return model;
    }

    private void AddMessage(FuzzRandom rng, bool last)
    {
        var foreign = rng.OneIn(8);
        var sequence = foreign ? Sequence ^ (1 + (rng.NextUInt32() >> 1)) : Sequence;
        var flags = Flags(rng);
        var live = !Ended && !foreign;
        if (live && (flags & NlmFDumpIntr) != 0)
        {
            ExpectedInterrupted = true;
        }

        switch (rng.Below(10))
        {
            case <= 4:
            {
                var payload = SocketPayload(rng, out var record);
                Write(SockDiagByFamily, flags, sequence, payload, last, rng);
                if (live) ExpectedSockets.Add(record);
                Layout.Add(Describe("socket", foreign, flags, payload.Length));
                break;
            }

            case 5:
            {
                // Framed well, too short for struct inet_diag_msg: skipped and counted.
                var payload = RandomBytes(rng, rng.Below(InetDiagMsgLength));
                Write(SockDiagByFamily, flags, sequence, payload, last, rng);
                if (live) ExpectedMalformed++;
                Layout.Add(Describe("short socket", foreign, flags, payload.Length));
                break;
            }

            case 6:
            {
                var payload = SocketPayload(rng, out _);
                payload[0] = NonInetFamily(rng);
                Write(SockDiagByFamily, flags, sequence, payload, last, rng);
                if (live) ExpectedMalformed++;
                Layout.Add(Describe($"socket of family {payload[0]}", foreign, flags, payload.Length));
                break;
            }

            case 7:
            {
                // An acknowledgement (error 0), or an error message too short to hold the code.
                var shortOne = rng.OneIn(3);
                var payload = shortOne ? RandomBytes(rng, rng.Below(4)) : ErrorPayload(0, rng);
                Write(NlMsgError, flags, sequence, payload, last, rng);
                if (live && shortOne) ExpectedMalformed++;
                Layout.Add(Describe(shortOne ? "short error" : "ack", foreign, flags, payload.Length));
                break;
            }

            default:
            {
                // Messages that carry no sockets: NOOP, OVERRUN, and types this build does not know.
                ushort type = rng.Below(3) switch
                {
                    0 => NlMsgNoop,
                    1 => NlMsgOverrun,
                    _ => (ushort)rng.Between(5, 19),
                };
                var payload = RandomBytes(rng, rng.Below(100));
                Write(type, flags, sequence, payload, last, rng);
                Layout.Add(Describe($"type {type}", foreign, flags, payload.Length));
                break;
            }
        }
    }

    private void AddTerminator(FuzzRandom rng, bool last)
    {
        var flags = Flags(rng);
        var live = !Ended;
        if (live && (flags & NlmFDumpIntr) != 0)
        {
            ExpectedInterrupted = true;
        }

        if (rng.Coin())
        {
            // NLMSG_DONE carries the dump's return value; negative is -errno, a missing one is 0.
            var missing = rng.OneIn(5);
            var code = rng.Pick(InterestingCodes);
            var payload = missing ? RandomBytes(rng, rng.Below(4)) : Int(code);
            Write(NlMsgDone, flags, Sequence, payload, last, rng);
            if (live)
            {
                if (!missing && code < 0)
                {
                    ExpectedStatus = NetlinkBatchStatus.Error;
                    ExpectedErrno = code == int.MinValue ? null : -code;
                }
                else
                {
                    ExpectedStatus = NetlinkBatchStatus.Done;
                    ExpectedErrno = 0;
                }
            }

            Layout.Add(Describe(missing ? $"done without code ({payload.Length} bytes)" : $"done {code}", false, flags, payload.Length));
        }
        else
        {
            var code = rng.Pick(InterestingCodes);
            if (code == 0)
            {
                code = -105; // 0 would be an acknowledgement, not an end
            }

            var payload = ErrorPayload(code, rng);
            Write(NlMsgError, flags, Sequence, payload, last, rng);
            if (live)
            {
                ExpectedStatus = NetlinkBatchStatus.Error;
                ExpectedErrno = code == int.MinValue ? null : Math.Abs(code);
            }

            Layout.Add(Describe($"error {code}", false, flags, payload.Length));
        }
    }

    private void AddBrokenTail(FuzzRandom rng)
    {
        byte[] tail;
        if (rng.Coin())
        {
            tail = RandomBytes(rng, rng.Between(1, HeaderLength - 1));
            Layout.Add($"tail of {tail.Length} bytes (less than a header)");
        }
        else
        {
            tail = RandomBytes(rng, rng.Between(HeaderLength, 64));
            var length = rng.Coin() ? (uint)rng.Below(HeaderLength) : (uint)tail.Length + 1 + (uint)rng.Below(1000);
            BinaryPrimitives.WriteUInt32LittleEndian(tail, length);
            Layout.Add($"tail of {tail.Length} bytes claiming nlmsg_len {length}");
        }

        _bytes.Write(tail);
        if (!Ended)
        {
            ExpectedMalformed++;
        }
    }

    private void Write(ushort type, ushort flags, uint sequence, byte[] payload, bool last, FuzzRandom rng)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(HeaderLength + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], rng.OneIn(4) ? rng.NextUInt32() : 0);
        _bytes.Write(header);
        _bytes.Write(payload);

        // NLMSG_ALIGN: the next message starts at a multiple of 4; the last one may end unpadded.
        var padding = (4 - (payload.Length % 4)) % 4;
        if (padding > 0 && (!last || rng.Coin()))
        {
            _bytes.Write(RandomBytes(rng, padding));
        }
    }

    private static byte[] SocketPayload(FuzzRandom rng, out SocketRecord record)
    {
        var payload = new byte[InetDiagMsgLength + (rng.Coin() ? rng.Below(56) : 0)];
        rng.Fill(payload);
        var family = rng.Coin() ? AddressFamilies.Inet : AddressFamilies.Inet6;
        payload[0] = family;
        if (!rng.OneIn(6))
        {
            payload[1] = (byte)rng.Between(1, 12);
        }

        if (rng.Coin())
        {
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(68), 0); // ownerless: TIME_WAIT, requests
        }

        var span = (ReadOnlySpan<byte>)payload;
        record = new SocketRecord
        {
            Family = family,
            State = payload[1],
            LocalPort = BinaryPrimitives.ReadUInt16BigEndian(span[4..]),
            RemotePort = BinaryPrimitives.ReadUInt16BigEndian(span[6..]),
            LocalAddress = InetAddress.FromNetworkBytes(span.Slice(8, 16)),
            RemoteAddress = InetAddress.FromNetworkBytes(span.Slice(24, 16)),
            Cookie = BinaryPrimitives.ReadUInt32LittleEndian(span[44..]) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[48..]) << 32),
            ReceiveQueue = BinaryPrimitives.ReadUInt32LittleEndian(span[56..]),
            SendQueue = BinaryPrimitives.ReadUInt32LittleEndian(span[60..]),
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(span[64..]),
            Inode = BinaryPrimitives.ReadUInt32LittleEndian(span[68..]),
        };
        return payload;
    }

    private static byte NonInetFamily(FuzzRandom rng)
    {
        byte family;
        do
        {
            family = rng.NextByte();
        }
        while (family is AddressFamilies.Inet or AddressFamilies.Inet6);
        return family;
    }

    // struct nlmsgerr: the code, then (a copy of) the request's header.
    private static byte[] ErrorPayload(int code, FuzzRandom rng)
    {
        var payload = new byte[4 + (rng.Coin() ? HeaderLength : 0)];
        BinaryPrimitives.WriteInt32LittleEndian(payload, code);
        rng.Fill(payload.AsSpan(4));
        return payload;
    }

    private static ushort Flags(FuzzRandom rng)
    {
        var flags = NlmFMulti;
        if (rng.OneIn(10)) flags |= NlmFDumpIntr;
        if (rng.OneIn(10)) flags |= (ushort)(rng.NextUInt32() & ~(uint)NlmFDumpIntr & 0xFFFF);
        return flags;
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] RandomBytes(FuzzRandom rng, int length)
    {
        var bytes = new byte[length];
        rng.Fill(bytes);
        return bytes;
    }

    private static string Describe(string what, bool foreign, ushort flags, int payload) =>
        $"{what}{(foreign ? " (other sequence)" : "")}, flags 0x{flags:X4}, payload {payload} bytes";
}
