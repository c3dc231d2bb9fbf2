using System.Diagnostics.Metrics;
using TcpState.Core;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// The exporter's OpenTelemetry instruments. All are observable: a collection reads the latest
/// snapshot and the sampler's counters, so a scrape never touches the kernel.
/// </summary>
public sealed class TcpStateMetrics : IDisposable
{
    public const string MeterName = "TcpState.Exporter";

    private readonly Meter _meter;
    private readonly SnapshotStore _store;
    private readonly SamplerStatistics _statistics;

    public TcpStateMetrics(SnapshotStore store, SamplerStatistics statistics, Func<string> source)
    {
        _store = store;
        _statistics = statistics;
        _meter = new Meter(MeterName, Version);

        _meter.CreateObservableGauge("tcpstate.sockets", ObserveStates, "{socket}",
            "TCP sockets of the host's network namespace by state, IPv4 and IPv6 together; every state is always present.");
        _meter.CreateObservableGauge("tcpstate.port.sockets", ObservePorts, "{socket}",
            "TCP sockets by state and by the port that names the service: the local port for role=\"server\" (a listener or a configured server port owns it), the remote port for role=\"client\". port=\"other\" holds groups folded by the series cap.");
        _meter.CreateObservableGauge("tcpstate.sample.duration", () => Measure(s => s.Duration.TotalSeconds), "s",
            "Wall time the last good sample took.");
        _meter.CreateObservableGauge("tcpstate.last.sample.timestamp", () => Measure(s => s.Timestamp.ToUnixTimeMilliseconds() / 1000.0), "s",
            "Unix time at which the last good sample completed; data older than a few intervals is stale.");
        _meter.CreateObservableGauge("tcpstate.last.sample.success", () => new Measurement<int>(_statistics.LastSucceeded ? 1 : 0), null,
            "1 if the most recent sample succeeded, 0 if it failed (the last good sample is still served).");
        _meter.CreateObservableGauge("tcpstate.folded.series", () => Measure(s => (double)s.FoldedGroups), "{series}",
            "Port groups folded into port=\"other\" in the last sample because of --metrics.max-port-series.");
        _meter.CreateObservableCounter("tcpstate.samples", () => new Measurement<long>(_statistics.Samples), "{sample}",
            "Samples attempted, successful or not.");
        _meter.CreateObservableCounter("tcpstate.sample.errors", ObserveErrors, "{sample}",
            "Samples that failed, by reason.");
        _meter.CreateObservableCounter("tcpstate.sample.retries", () => new Measurement<long>(_statistics.Retries), "{dump}",
            "Dumps restarted because the kernel flagged them inconsistent (NLM_F_DUMP_INTR).");
        _meter.CreateObservableCounter("tcpstate.malformed.records", () => new Measurement<long>(_statistics.MalformedRecords), "{record}",
            "Socket records the kernel source returned that could not be parsed and were skipped.");
        _meter.CreateObservableGauge("tcpstate.build.info",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", Version), new KeyValuePair<string, object?>("source", source())),
            null, "Always 1: the exporter's version and the socket source in use (netlink or proc).");
    }

    /// <summary>The version reported by --version and tcpstate_build_info.</summary>
    public static string Version { get; } =
        typeof(TcpStateMetrics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private IEnumerable<Measurement<long>> ObserveStates()
    {
        var snapshot = _store.Latest;
        if (snapshot is null) yield break;
        for (var i = 0; i < StateLabel.Count; i++)
        {
            yield return new Measurement<long>(snapshot.StateCounts[i], new KeyValuePair<string, object?>("state", StateLabel.Name(i)));
        }
    }

    private IEnumerable<Measurement<long>> ObservePorts()
    {
        var snapshot = _store.Latest;
        if (snapshot is null) yield break;
        foreach (var group in snapshot.PortGroups)
        {
            yield return new Measurement<long>(group.Count,
                new KeyValuePair<string, object?>("state", StateLabel.Name(group.StateIndex)),
                new KeyValuePair<string, object?>("role", group.Role == SocketRole.Server ? "server" : "client"),
                new KeyValuePair<string, object?>("port", group.PortLabel));
        }
    }

    private IEnumerable<Measurement<long>> ObserveErrors()
    {
        foreach (var (reason, count) in _statistics.Errors)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    private IEnumerable<Measurement<double>> Measure(Func<SocketSnapshot, double> read)
    {
        var snapshot = _store.Latest;
        if (snapshot is not null) yield return new Measurement<double>(read(snapshot));
    }

    public void Dispose() => _meter.Dispose();
}
