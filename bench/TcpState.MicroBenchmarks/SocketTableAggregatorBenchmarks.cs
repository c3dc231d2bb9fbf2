using BenchmarkDotNet.Attributes;
using TcpState.Core;
using TcpState.Kernel.Netlink;

namespace TcpState.MicroBenchmarks;

/// <summary>
/// One sample's aggregation without the kernel: Reset, the listener pre-pass, every socket of a
/// dump through OnSocket, then ToSnapshot (attribution off, close_wait ages tracked, the
/// exporter's default cap of 1,000 series). The sockets are the capture's records with their
/// ports spread over <see cref="Groups"/> remote ports, so the table has about twice that many
/// groups; the per-socket part and the per-group part (folding, sorting, the snapshot) show
/// separately as the parameters change.
/// </summary>
[MemoryDiagnoser]
public class SocketTableAggregatorBenchmarks
{
    private SocketRecord[] _listeners = [];
    private SocketRecord[] _sockets = [];
    private SocketTableAggregator _aggregator = null!;

    [Params(10_000, 100_000)]
    public int Sockets { get; set; }

    [Params(100, 1_000)]
    public int Groups { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var collected = new CollectingSink();
        InetDiagParser.ParseDatagram(Fixtures.Read("netlink-inet.bin"), Fixtures.NetlinkSequence, collected);
        InetDiagParser.ParseDatagram(Fixtures.Read("netlink-inet6.bin"), Fixtures.NetlinkSequence, collected);
        var captured = collected.Records;
        _listeners = [.. captured.Where(r => r.State == (byte)KernelTcpState.Listen)];
        var others = captured.Where(r => r.State != (byte)KernelTcpState.Listen).ToArray();
        _sockets = new SocketRecord[Sockets];
        for (var i = 0; i < Sockets; i++)
        {
            var template = others[i % others.Length];
            _sockets[i] = template with
            {
                LocalPort = (ushort)(32768 + (i % 28000)),
                RemotePort = (ushort)(20000 + (i % Groups)),
                Cookie = (ulong)i + 1,
                Inode = template.Inode == 0 ? 0 : (uint)i + 1,
            };
        }

        _aggregator = new SocketTableAggregator([], owners: null,
            new StuckSocketTracker([StateLabel.CloseWait], TimeSpan.FromMinutes(5), TimeProvider.System));
        Sample(); // sizes the tables, as the exporter's first sample does
    }

    [Benchmark(Description = "one sample: Reset, OnSocket x N, ToSnapshot")]
    public long Sample()
    {
        _aggregator.Reset();
        foreach (var listener in _listeners)
        {
            _aggregator.ListenerSink.OnSocket(listener);
        }

        foreach (var socket in _sockets)
        {
            _aggregator.OnSocket(socket);
        }

        return _aggregator.ToSnapshot("netlink", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1000, 0, 0).TotalSockets;
    }

    private sealed class CollectingSink : ISocketSink
    {
        public List<SocketRecord> Records { get; } = [];

        public void OnSocket(in SocketRecord socket) => Records.Add(socket);
    }
}
