using System.Net;
using TcpState.Core;
using TcpState.Kernel.Proc;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel;

public class ProcNetTcpParserTests
{
    [Theory]
    [InlineData("proc-net-tcp.txt", AddressFamilies.Inet, "inet")]
    [InlineData("proc-net-tcp6.txt", AddressFamilies.Inet6, "inet6")]
    public void TryParse_RealKernelFile_CountsMatchSs(string file, byte family, string expected)
    {
        var (sink, malformed) = ParseFile(file, family);

        Assert.Equal(0, malformed);
        Assert.Equal(FixtureFiles.ExpectedStateCounts(expected), sink.CountByState());
    }

    [Fact]
    public void TryParse_Ipv4Line_DecodesAddressesPortsQueuesAndInode()
    {
        var line = "   1: 0100007F:17AC 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 6447 3 00000000b0faac70 100 0 0 10 0"u8;

        Assert.True(ProcNetTcpParser.TryParse(line, AddressFamilies.Inet, out var socket));

        Assert.Equal((byte)KernelTcpState.Listen, socket.State);
        Assert.Equal(6060, socket.LocalPort);
        Assert.Equal(IPAddress.Loopback, socket.LocalAddress.ToIPAddress(AddressFamilies.Inet));
        Assert.Equal(0, socket.RemotePort);
        Assert.Equal(2u, socket.ReceiveQueue);
        Assert.Equal(6447u, socket.Inode);
    }

    [Fact]
    public void TryParse_MappedIpv6Line_DecodesTheIpv4MappedAddress()
    {
        var line = File.ReadAllLines(FixtureFiles.PathOf("proc-net-tcp6.txt"))
            .Single(l => l.Contains("0000000000000000FFFF00000100007F:1B9E", StringComparison.Ordinal));

        Assert.True(ProcNetTcpParser.TryParse(System.Text.Encoding.ASCII.GetBytes(line), AddressFamilies.Inet6, out var socket));

        Assert.True(socket.LocalAddress.IsIPv4Mapped);
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), socket.LocalAddress.ToIPAddress(AddressFamilies.Inet6));
        Assert.Equal(7070, socket.LocalPort);
    }

    [Fact]
    public void TryParse_MalformedLines_AreCountedAndTheRestKept()
    {
        var (sink, malformed) = ParseFile("proc-net-tcp-malformed.txt", AddressFamilies.Inet);

        var expected = FixtureFiles.ExpectedStateCounts("inet");
        expected[StateLabel.Established] -= 3;
        Assert.Equal(3, malformed);
        Assert.Equal(expected, sink.CountByState());
    }

    [Theory]
    [InlineData("proc-net-tcp-header-only.txt")]
    [InlineData("proc-net-tcp-empty.txt")]
    public void Dump_HeaderOnlyOrEmptyFile_ReportsNothing(string file)
    {
        var (sink, malformed) = ParseFile(file, AddressFamilies.Inet);

        Assert.Empty(sink.Sockets);
        Assert.Equal(0, malformed);
    }

    [Fact]
    public void TryParse_Ipv4AddressInIpv6File_IsMalformed()
    {
        var line = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6443 1"u8;

        Assert.False(ProcNetTcpParser.TryParse(line, AddressFamilies.Inet6, out _));
    }

    // Runs the real reader over a proc root made of one fixture file as net/tcp (or net/tcp6).
    private static (RecordingSink Sink, long Malformed) ParseFile(string file, byte family)
    {
        using var root = new TemporaryProcRoot();
        root.Write(family == AddressFamilies.Inet ? "tcp" : "tcp6", FixtureFiles.Read(file));
        if (family == AddressFamilies.Inet6) root.Write("tcp", FixtureFiles.Read("proc-net-tcp-header-only.txt"));
        using var reader = new ProcNetTcpReader(root.Path);
        var sink = new RecordingSink();
        var result = reader.Dump(sink);
        return (sink, result.MalformedRecords);
    }
}
