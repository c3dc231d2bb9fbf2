using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using TcpState.Exposition;

namespace TcpState.MicroBenchmarks;

/// <summary>
/// PrometheusTextSerializer.Write of an exposition shaped like the exporter's: one
/// tcpstate_port_sockets family with <see cref="Series"/> series (state, role, port, process),
/// the 12-series tcpstate_sockets and a few single-sample families, into a reused buffer.
/// </summary>
[MemoryDiagnoser]
public class PrometheusTextSerializerBenchmarks
{
    private static readonly string[] States = ["established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close", "close_wait", "last_ack", "listen", "closing", "unknown"];

    private readonly ArrayBufferWriter<byte> _buffer = new(512 * 1024);
    private List<MetricFamily> _families = [];

    [Params(2_000)]
    public int Series { get; set; }

    [Params(ExpositionFormat.PrometheusText, ExpositionFormat.OpenMetrics)]
    public ExpositionFormat Format { get; set; }

    /// <summary>Bytes of one exposition, for the per-byte rate.</summary>
    public int Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var ports = new List<MetricSample>(Series);
        for (var i = 0; i < Series; i++)
        {
            ports.Add(new MetricSample(
            [
                new MetricLabel("port", (10000 + (i / 4)).ToString(CultureInfo.InvariantCulture)),
                new MetricLabel("process", i % 3 == 0 ? "SocketHolder" : "api-server"),
                new MetricLabel("role", i % 2 == 0 ? "server" : "client"),
                new MetricLabel("state", States[i % 4]),
            ], i));
        }

        _families =
        [
            new MetricFamily("tcpstate_port_sockets", MetricFamilyType.Gauge, "TCP sockets by state, role, port and owning process.", null, ports),
            new MetricFamily("tcpstate_sockets", MetricFamilyType.Gauge, "TCP sockets by state.", null,
                [.. States.Select((s, i) => new MetricSample([new MetricLabel("state", s)], i * 1000))]),
            new MetricFamily("tcpstate_samples", MetricFamilyType.Counter, "Samples attempted.", null, [new MetricSample([], 12345)]),
            new MetricFamily("tcpstate_sample_duration_seconds", MetricFamilyType.Gauge, "How long the last good sample took.", "seconds", [new MetricSample([], 0.0123)]),
        ];
        Write();
        Bytes = _buffer.WrittenCount;
    }

    [Benchmark(Description = "one exposition")]
    public int Write()
    {
        _buffer.ResetWrittenCount();
        PrometheusTextSerializer.Write(_buffer, _families, Format);
        return _buffer.WrittenCount;
    }
}
