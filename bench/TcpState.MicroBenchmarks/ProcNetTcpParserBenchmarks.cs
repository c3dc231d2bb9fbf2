using System.Text;
using BenchmarkDotNet.Attributes;
using TcpState.Core;
using TcpState.Kernel.Proc;

namespace TcpState.MicroBenchmarks;

/// <summary>ProcNetTcpParser.TryParse over every socket line of the captured /proc/net/tcp and tcp6 (per file).</summary>
[MemoryDiagnoser]
public class ProcNetTcpParserBenchmarks
{
    private byte[][] _tcp = [];
    private byte[][] _tcp6 = [];

    [GlobalSetup]
    public void Setup()
    {
        _tcp = Lines("proc-net-tcp.txt");
        _tcp6 = Lines("proc-net-tcp6.txt");
    }

    [Benchmark(Description = "capture tcp (21 lines)")]
    public int Tcp() => ParseAll(_tcp, AddressFamilies.Inet);

    [Benchmark(Description = "capture tcp6 (5 lines)")]
    public int Tcp6() => ParseAll(_tcp6, AddressFamilies.Inet6);

    private static int ParseAll(byte[][] lines, byte family)
    {
        var parsed = 0;
        foreach (var line in lines)
        {
            if (ProcNetTcpParser.TryParse(line, family, out _))
            {
                parsed++;
            }
        }

        return parsed;
    }

    private static byte[][] Lines(string name) =>
        [.. Encoding.ASCII.GetString(Fixtures.Read(name)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Encoding.ASCII.GetBytes)];
}
