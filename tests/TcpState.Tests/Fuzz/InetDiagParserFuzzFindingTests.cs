using System.Buffers.Binary;
using TcpState.Kernel.Netlink;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Bugs the fuzz campaign found in <see cref="InetDiagParser"/>, reduced to the smallest datagram.
/// ParseDatagram documents that a datagram yields records, a malformed count and a status, with a
/// positive errno exactly when the status is Error; an error or done code of int.MinValue breaks
/// that (found by bench/fuzz.sh, e.g. seed 6 cases 144 and 2026).
/// </summary>
public class InetDiagParserFuzzFindingTests
{
    private const ushort NlMsgError = 2;
    private const ushort NlMsgDone = 3;
    private const uint Sequence = 7;

    [Fact]
    public void ParseDatagram_ErrorMessageWithCodeIntMinValue_ReturnsErrorWithPositiveErrno()
    {
        // struct nlmsgerr { int error = INT_MIN; ... }: Math.Abs(int.MinValue) throws OverflowException,
        // which escapes ParseDatagram, InetDiagReader.Dump and SamplingService.SampleOnce (it catches
        // SocketTableException, IOException and UnauthorizedAccessException only).
        var datagram = Message(NlMsgError, int.MinValue);

        var result = InetDiagParser.ParseDatagram(datagram, Sequence, new RecordingSink());

        Assert.Equal(NetlinkBatchStatus.Error, result.Status);
        Assert.True(result.Errno > 0, $"errno {result.Errno}");
    }

    [Fact]
    public void ParseDatagram_DoneMessageWithCodeIntMinValue_ReturnsErrorWithPositiveErrno()
    {
        // NLMSG_DONE carrying INT_MIN: -done overflows to int.MinValue, a negative "errno".
        var datagram = Message(NlMsgDone, int.MinValue);

        var result = InetDiagParser.ParseDatagram(datagram, Sequence, new RecordingSink());

        Assert.Equal(NetlinkBatchStatus.Error, result.Status);
        Assert.True(result.Errno > 0, $"errno {result.Errno}");
    }

    // nlmsghdr (len 20, type, flags NLM_F_MULTI, seq, pid 0) and a 4-byte code.
    private static byte[] Message(ushort type, int code)
    {
        var bytes = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 20);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), code);
        return bytes;
    }
}
