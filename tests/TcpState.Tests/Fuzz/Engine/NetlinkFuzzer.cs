using System.Buffers.Binary;
using TcpState.Core;
using TcpState.Kernel.Netlink;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Fuzz cases for <see cref="InetDiagParser.ParseDatagram"/>: random bytes, modelled datagrams
/// (<see cref="NetlinkDatagramModel"/>, checked exactly) and real kernel captures mutated at random
/// and at the fields that steer the parser. The documented outcomes are the only ones allowed:
/// records, a malformed count, and a status (with a positive errno exactly when it is Error).
/// </summary>
public sealed class NetlinkFuzzer
{
    /// <summary>The smallest message that can carry a socket: nlmsghdr and struct inet_diag_msg.</summary>
    private const int SmallestSocketMessage = NetlinkDatagramModel.HeaderLength + NetlinkDatagramModel.InetDiagMsgLength;

    private static readonly uint[] InterestingWords =
        [0, 1, 2, 3, 4, 15, 16, 17, 19, 20, 71, 72, 87, 88, 89, 0x10, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFF97, 0xFFFFFFEA];

    private readonly IReadOnlyList<Capture> _captures;
    private readonly CollectingSink _sink = new();
    private readonly CollectingSink _again = new();
    private string _kind = "";
    private byte[] _input = [];
    private uint _sequence;
    private NetlinkDatagramModel? _model;

    /// <param name="captures">Real reply datagrams (the netlink-*.bin fixtures) and the sequence number they answer.</param>
    public NetlinkFuzzer(IReadOnlyList<(byte[] Bytes, uint Sequence)> captures)
    {
        _captures = captures.Select(c => new Capture(c.Bytes, c.Sequence, MessageOffsets(c.Bytes))).ToList();
    }

    public string Kind => _kind;

    public void Run(FuzzRandom rng)
    {
        _model = null;
        switch (rng.Below(10))
        {
            case <= 1:
                _kind = "netlink/random";
                _input = RandomDatagram(rng, out _sequence);
                break;
            case <= 5:
                _kind = "netlink/modelled";
                _model = NetlinkDatagramModel.Generate(rng);
                _input = _model.ToArray();
                _sequence = _model.Sequence;
                break;
            default:
                _kind = "netlink/mutated-capture";
                _input = MutatedCapture(rng, out _sequence);
                break;
        }

        _sink.Clear();
        var result = InetDiagParser.ParseDatagram(_input, _sequence, _sink);
        CheckInvariants(result);
        if (_model is not null)
        {
            CheckModel(_model, result);
        }

        if (rng.OneIn(8))
        {
            // Pure: the same bytes give the same answer (no state carried between calls).
            _again.Clear();
            var second = InetDiagParser.ParseDatagram(_input, _sequence, _again);
            FuzzPropertyException.Check(second == result, $"a second parse of the same bytes returned {second}, the first {result}");
            SocketRecords.CheckSequence(_sink.Records, _again.Records, "second parse of the same bytes");
        }
    }

    public string DescribeInput()
    {
        var text = $"ParseDatagram(datagram, sequence: {_sequence}u, sink) with datagram =\n{FuzzFormat.Bytes(_input)}";
        if (_model is not null)
        {
            text += "modelled messages:\n  " + string.Join("\n  ", _model.Layout) + "\n" +
                $"expected: {_model.ExpectedSockets.Count} sockets, {_model.ExpectedMalformed} malformed, {_model.ExpectedStatus}, " +
                $"errno {(_model.ExpectedErrno is { } errno ? errno.ToString(System.Globalization.CultureInfo.InvariantCulture) : "any positive")}, interrupted {_model.ExpectedInterrupted}\n";
        }

        return text;
    }

    private void CheckInvariants(NetlinkBatchResult result)
    {
        FuzzPropertyException.Check(Enum.IsDefined(result.Status), $"undocumented status {(int)result.Status}");
        FuzzPropertyException.Check(result.Status == NetlinkBatchStatus.Error ? result.Errno > 0 : result.Errno == 0,
            $"status {result.Status} came with errno {result.Errno} (documented: a positive errno exactly when the status is Error)");
        FuzzPropertyException.Check(result.Sockets == _sink.Records.Count, $"reported {result.Sockets} sockets but gave the sink {_sink.Records.Count}");
        FuzzPropertyException.Check(result.Malformed >= 0 && result.Malformed <= (_input.Length / NetlinkDatagramModel.HeaderLength) + 1,
            $"malformed count {result.Malformed} for {_input.Length} bytes");
        FuzzPropertyException.Check(result.Sockets <= _input.Length / SmallestSocketMessage,
            $"{result.Sockets} sockets out of {_input.Length} bytes: more than one per {SmallestSocketMessage}-byte message");
        foreach (var record in _sink.Records)
        {
            FuzzPropertyException.Check(record.Family is AddressFamilies.Inet or AddressFamilies.Inet6,
                $"a record of address family {record.Family} reached the sink");
        }
    }

    private void CheckModel(NetlinkDatagramModel model, NetlinkBatchResult result)
    {
        FuzzPropertyException.Check(result.Status == model.ExpectedStatus, $"status {result.Status}, expected {model.ExpectedStatus}");
        if (model.ExpectedErrno is { } errno)
        {
            FuzzPropertyException.Check(result.Errno == errno, $"errno {result.Errno}, expected {errno}");
        }

        FuzzPropertyException.Check(result.Interrupted == model.ExpectedInterrupted, $"interrupted {result.Interrupted}, expected {model.ExpectedInterrupted}");
        FuzzPropertyException.Check(result.Malformed == model.ExpectedMalformed, $"malformed {result.Malformed}, expected {model.ExpectedMalformed}");
        SocketRecords.CheckSequence(model.ExpectedSockets, _sink.Records, "sockets of a modelled datagram");
    }

    private static byte[] RandomDatagram(FuzzRandom rng, out uint sequence)
    {
        var length = rng.Below(5) switch
        {
            0 => rng.Below(64),
            4 => rng.Below(4096),
            _ => rng.Below(512),
        };
        var bytes = new byte[length];
        rng.Fill(bytes);

        // Often answer the sequence the first header names, so random messages are not all skipped.
        sequence = length >= 12 && rng.Coin() ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) : rng.NextUInt32();
        return bytes;
    }

    private byte[] MutatedCapture(FuzzRandom rng, out uint sequence)
    {
        var capture = rng.Pick(_captures);
        sequence = rng.OneIn(10) ? rng.NextUInt32() : capture.Sequence;
        var bytes = new List<byte>(capture.Bytes);
        var mutations = rng.Between(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            if (bytes.Count == 0)
            {
                bytes.AddRange(rng.Pick(_captures).Bytes);
            }

            switch (rng.Below(9))
            {
                case 0:
                {
                    var start = rng.Below(bytes.Count);
                    var count = rng.Between(1, 8);
                    var value = rng.NextByte();
                    for (var i = start; i < Math.Min(bytes.Count, start + count); i++) bytes[i] = rng.Coin() ? value : rng.NextByte();
                    break;
                }

                case 1:
                {
                    var at = rng.Below(bytes.Count);
                    bytes[at] ^= (byte)(1 << rng.Below(8));
                    break;
                }

                case 2:
                case 3:
                {
                    // A field the parser acts on: nlmsg_len, type, flags, seq, or the first payload word
                    // (family and state, or an error/done code), set to a boundary value.
                    var message = rng.Pick(capture.Offsets);
                    var field = rng.Pick<int>([0, 4, 6, 8, 16, 16, 16 + 68]);
                    var word = rng.Pick(InterestingWords);
                    if (message + field + 4 <= bytes.Count)
                    {
                        for (var i = 0; i < (field is 4 or 6 ? 2 : 4); i++) bytes[message + field + i] = (byte)(word >> (8 * i));
                    }

                    break;
                }

                case 4:
                {
                    // Cut short, as a datagram that did not fit a receive buffer would be.
                    var cut = rng.Below(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                }

                case 5:
                {
                    var insert = new byte[rng.Between(1, 32)];
                    rng.Fill(insert);
                    bytes.InsertRange(rng.Below(bytes.Count + 1), insert);
                    break;
                }

                case 6:
                {
                    var start = rng.Below(bytes.Count);
                    bytes.RemoveRange(start, Math.Min(rng.Between(1, 128), bytes.Count - start));
                    break;
                }

                case 7:
                {
                    // A message repeated, as a kernel bug or a replayed datagram could.
                    var start = rng.Pick(capture.Offsets);
                    var length = Math.Min(rng.Between(16, 140), bytes.Count - Math.Min(start, bytes.Count));
                    var at = Math.Min(rng.Pick(capture.Offsets), bytes.Count);
                    if (start < bytes.Count && length > 0)
                    {
                        bytes.InsertRange(at, bytes.GetRange(start, length));
                    }

                    break;
                }

                default:
                {
                    var other = rng.Pick(_captures).Bytes;
                    var from = rng.Below(other.Length);
                    bytes.AddRange(other.AsSpan(from, rng.Below(other.Length - from + 1)).ToArray());
                    break;
                }
            }
        }

        return [.. bytes];
    }

    // Where each message of a well-framed capture starts, for targeted mutations.
    private static int[] MessageOffsets(byte[] bytes)
    {
        var offsets = new List<int>();
        var offset = 0;
        while (offset + NetlinkDatagramModel.HeaderLength <= bytes.Length)
        {
            offsets.Add(offset);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            if (length < NetlinkDatagramModel.HeaderLength) break;
            offset += (int)((length + 3) & ~3u);
        }

        return offsets.Count > 0 ? [.. offsets] : [0];
    }

    private sealed record Capture(byte[] Bytes, uint Sequence, int[] Offsets);
}
