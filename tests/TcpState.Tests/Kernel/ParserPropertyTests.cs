using FsCheck;
using FsCheck.Fluent;
using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel;

/// <summary>
/// Random and mutated input never crashes or hangs the parsers: the only outcomes are records,
/// a malformed count, or a documented status.
/// </summary>
public class ParserPropertyTests
{
    private static readonly Config Settings = Config.QuickThrowOnFailure.WithMaxTest(2000).WithReplay(42, 7);

    [Fact]
    public void ParseDatagram_RandomBytes_NeverThrows()
    {
        Check.One(Settings, Prop.ForAll<byte[]>(bytes =>
        {
            var result = InetDiagParser.ParseDatagram(bytes, 0, new RecordingSink());
            return result.Malformed >= 0 && result.Sockets >= 0;
        }));
    }

    [Fact]
    public void ParseDatagram_MutatedRealDump_NeverThrowsAndNeverInventsSockets()
    {
        var original = FixtureFiles.Read("netlink-inet.bin");
        var realCount = InetDiagParser.ParseDatagram(original, FixtureFiles.NetlinkSequence, new RecordingSink()).Sockets;
        Check.One(Settings, Prop.ForAll<int, int, byte>((position, length, value) =>
        {
            var mutated = Mutate(original, position, length, value);
            var sink = new RecordingSink();
            var result = InetDiagParser.ParseDatagram(mutated, FixtureFiles.NetlinkSequence, sink);
            // Bytes changed inside a message can turn it into a different message but never add
            // framing: at most one socket per 88 bytes (header + inet_diag_msg) can come out.
            return result.Sockets == sink.Sockets.Count && result.Sockets <= mutated.Length / 88 + realCount;
        }));
    }

    [Fact]
    public void TryParse_RandomLines_NeverThrows()
    {
        Check.One(Settings, Prop.ForAll<byte[], bool>((line, v6) =>
        {
            ProcNetTcpParser.TryParse(line, v6 ? AddressFamilies.Inet6 : AddressFamilies.Inet, out _);
            return true;
        }));
    }

    [Fact]
    public void Dump_MutatedRealProcFile_NeverThrowsAndLosesAtMostTheDamagedLines()
    {
        var original = FixtureFiles.Read("proc-net-tcp.txt");
        var lines = original.Count(b => b == (byte)'\n');
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(42, 7), Prop.ForAll<int, int, byte>((position, length, value) =>
        {
            using var root = new TemporaryProcRoot();
            root.Write("tcp", Mutate(original, position, length, value));
            using var reader = new ProcNetTcpReader(root.Path);
            var sink = new RecordingSink();
            var result = reader.Dump(sink);
            return sink.Sockets.Count + result.MalformedRecords <= lines + 1;
        }));
    }

    // Overwrites up to 8 bytes at a position chosen from the generated numbers.
    private static byte[] Mutate(byte[] original, int position, int length, byte value)
    {
        var copy = (byte[])original.Clone();
        var start = (int)((uint)position % (uint)copy.Length);
        var count = (int)((uint)length % 8) + 1;
        for (var i = start; i < Math.Min(copy.Length, start + count); i++) copy[i] = value;
        return copy;
    }
}
