using System.Net;
using System.Runtime.InteropServices;
using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel;

public class InetDiagParserTests
{
    [Theory]
    [InlineData("netlink-inet.bin", "inet")]
    [InlineData("netlink-inet6.bin", "inet6")]
    public void ParseDatagram_RealKernelDump_CountsMatchSs(string file, string family)
    {
        var sink = new RecordingSink();

        var result = InetDiagParser.ParseDatagram(FixtureFiles.Read(file), FixtureFiles.NetlinkSequence, sink);

        Assert.Equal(NetlinkBatchStatus.Done, result.Status);
        Assert.Equal(0, result.Malformed);
        Assert.False(result.Interrupted);
        Assert.Equal(FixtureFiles.ExpectedStateCounts(family), sink.CountByState());
        Assert.Equal(sink.Sockets.Count, result.Sockets);
    }

    [Fact]
    public void ParseDatagram_ListenDumps_ReportQueueLengthAndLimit()
    {
        var sink = new RecordingSink();
        InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-listen-inet.bin"), FixtureFiles.NetlinkSequence, sink);
        InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-listen-inet6.bin"), FixtureFiles.NetlinkSequence, sink);

        var listeners = sink.Sockets
            .Select(s => ((int)s.LocalPort, s.ReceiveQueue, s.SendQueue))
            .OrderBy(l => l.Item1);
        Assert.All(sink.Sockets, s => Assert.Equal((byte)KernelTcpState.Listen, s.State));
        Assert.Equal(FixtureFiles.ExpectedListeners().OrderBy(l => l.Port), listeners);
    }

    [Fact]
    public void ParseDatagram_DualStackAcceptedSocket_KeepsIPv4MappedAddress()
    {
        var sink = new RecordingSink();
        InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-inet6.bin"), FixtureFiles.NetlinkSequence, sink);

        var mapped = Assert.Single(sink.Sockets, s => s.LocalPort == 7070 && s.State == (byte)KernelTcpState.Established);
        Assert.True(mapped.LocalAddress.IsIPv4Mapped);
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), mapped.RemoteAddress.ToIPAddress(AddressFamilies.Inet6));
        Assert.Equal(40051, mapped.RemotePort);
    }

    [Fact]
    public void ParseDatagram_FullAndTimeWaitSockets_CarryKernelIdentity()
    {
        var sink = new RecordingSink();
        InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-inet.bin"), FixtureFiles.NetlinkSequence, sink);

        var closeWait = sink.Sockets.Where(s => s.State == (byte)KernelTcpState.CloseWait).ToList();
        Assert.Equal(2, closeWait.Count);
        Assert.All(closeWait, s => Assert.NotEqual(0u, s.Inode));
        Assert.All(closeWait, s => Assert.Equal(8080, s.LocalPort));
        Assert.Equal(IPAddress.Loopback, closeWait[0].LocalAddress.ToIPAddress(AddressFamilies.Inet));
        Assert.Equal(sink.Sockets.Count, sink.Sockets.Select(s => s.Cookie).Distinct().Count());
        Assert.All(sink.Sockets.Where(s => s.State == (byte)KernelTcpState.TimeWait), s => Assert.Equal(0u, s.Inode));
    }

    [Fact]
    public void ParseDatagram_TruncatedMessage_CountsOneMalformedAndKeepsTheRest()
    {
        var sink = new RecordingSink();

        var result = InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-truncated.bin"), FixtureFiles.NetlinkSequence, sink);

        Assert.Equal(NetlinkBatchStatus.More, result.Status);
        Assert.Equal(1, result.Malformed);
        Assert.Single(sink.Sockets);
    }

    [Fact]
    public void ParseDatagram_MessagesOfAnotherDump_AreSkipped()
    {
        var sink = new RecordingSink();

        var result = InetDiagParser.ParseDatagram(FixtureFiles.Read("netlink-inet.bin"), FixtureFiles.NetlinkSequence + 1, sink);

        Assert.Equal(NetlinkBatchStatus.More, result.Status);
        Assert.Empty(sink.Sockets);
    }

    [Fact]
    public void ParseDatagram_DumpInterruptedFlag_IsReported()
    {
        var data = FixtureFiles.Read("netlink-inet.bin");
        var flags = MemoryMarshal.Read<ushort>(data.AsSpan(6));
        MemoryMarshal.Write(data.AsSpan(6), (ushort)(flags | 0x10));

        var result = InetDiagParser.ParseDatagram(data, FixtureFiles.NetlinkSequence, new RecordingSink());

        Assert.True(result.Interrupted);
        Assert.Equal(NetlinkBatchStatus.Done, result.Status);
    }

    [Theory]
    [InlineData(2, -22, NetlinkBatchStatus.Error, 22)]   // NLMSG_ERROR -EINVAL (old kernel)
    [InlineData(2, 0, NetlinkBatchStatus.More, 0)]       // NLMSG_ERROR 0 is an acknowledgement
    [InlineData(3, -1, NetlinkBatchStatus.Error, 1)]     // NLMSG_DONE carrying -EPERM
    [InlineData(3, 0, NetlinkBatchStatus.Done, 0)]
    public void ParseDatagram_ControlMessages_EndOrFailTheDump(ushort type, int payload, NetlinkBatchStatus status, int errno)
    {
        var message = new byte[20];
        MemoryMarshal.Write(message.AsSpan(0), 20u);
        MemoryMarshal.Write(message.AsSpan(4), type);
        MemoryMarshal.Write(message.AsSpan(8), 7u);
        MemoryMarshal.Write(message.AsSpan(16), payload);

        var result = InetDiagParser.ParseDatagram(message, 7, new RecordingSink());

        Assert.Equal(status, result.Status);
        Assert.Equal(errno, result.Errno);
    }

    [Fact]
    public void ParseDatagram_SocketMessageTooShort_IsSkippedAndCounted()
    {
        var message = new byte[40];
        MemoryMarshal.Write(message.AsSpan(0), 40u);
        MemoryMarshal.Write(message.AsSpan(4), (ushort)20);
        MemoryMarshal.Write(message.AsSpan(8), 7u);
        message[16] = 2;

        var result = InetDiagParser.ParseDatagram(message, 7, new RecordingSink());

        Assert.Equal(1, result.Malformed);
        Assert.Equal(0, result.Sockets);
    }

    [Fact]
    public void Write_Request_MatchesTheKernelLayout()
    {
        var request = new byte[InetDiagRequest.Length];

        InetDiagRequest.Write(request, AddressFamilies.Inet6, 0xFFF, 42);

        Assert.Equal(72u, MemoryMarshal.Read<uint>(request));
        Assert.Equal((ushort)20, MemoryMarshal.Read<ushort>(request.AsSpan(4)));
        Assert.Equal((ushort)0x301, MemoryMarshal.Read<ushort>(request.AsSpan(6)));
        Assert.Equal(42u, MemoryMarshal.Read<uint>(request.AsSpan(8)));
        Assert.Equal(new byte[] { 10, 6, 0, 0 }, request[16..20]);
        Assert.Equal(0xFFFu, MemoryMarshal.Read<uint>(request.AsSpan(20)));
        Assert.All(request[24..], b => Assert.Equal(0, b));
    }
}
