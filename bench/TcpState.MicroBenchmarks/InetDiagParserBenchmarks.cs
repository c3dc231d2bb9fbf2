using BenchmarkDotNet.Attributes;
using TcpState.Core;
using TcpState.Kernel.Netlink;

namespace TcpState.MicroBenchmarks;

/// <summary>
/// InetDiagParser.ParseDatagram on the captured IPv4 and IPv6 dumps, and on a full-size
/// datagram (~32 KiB, what the kernel sends per recv during a large dump) made of the capture's
/// socket messages repeated. The result is per datagram; divide by the sockets for per socket.
/// </summary>
[MemoryDiagnoser]
public class InetDiagParserBenchmarks
{
    private readonly CountingSink _sink = new();
    private byte[] _inet = [];
    private byte[] _inet6 = [];
    private byte[] _full = [];

    /// <summary>Sockets in the full datagram.</summary>
    public int FullDatagramSockets { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _inet = Fixtures.Read("netlink-inet.bin");
        _inet6 = Fixtures.Read("netlink-inet6.bin");
        _full = FullDatagram(_inet, out var sockets);
        FullDatagramSockets = sockets;
    }

    [Benchmark(Description = "capture inet (21 sockets)")]
    public long Inet() => InetDiagParser.ParseDatagram(_inet, Fixtures.NetlinkSequence, _sink).Sockets;

    [Benchmark(Description = "capture inet6 (5 sockets)")]
    public long Inet6() => InetDiagParser.ParseDatagram(_inet6, Fixtures.NetlinkSequence, _sink).Sockets;

    [Benchmark(Description = "32 KiB datagram of captured messages")]
    public long FullDatagram() => InetDiagParser.ParseDatagram(_full, Fixtures.NetlinkSequence, _sink).Sockets;

    // The socket messages of a capture (its NLMSG_DONE left out), repeated up to 32 KiB.
    private static byte[] FullDatagram(byte[] capture, out int sockets)
    {
        var messages = new List<ArraySegment<byte>>();
        for (var offset = 0; offset + 16 <= capture.Length;)
        {
            var length = BitConverter.ToInt32(capture, offset);
            var type = BitConverter.ToUInt16(capture, offset + 4);
            if (type == 20)
            {
                messages.Add(new ArraySegment<byte>(capture, offset, length));
            }

            offset += (length + 3) & ~3;
        }

        var result = new List<byte>(32 * 1024);
        sockets = 0;
        for (var i = 0; result.Count + messages[i % messages.Count].Count <= 32 * 1024; i++)
        {
            result.AddRange(messages[i % messages.Count]);
            sockets++;
        }

        return [.. result];
    }
}
