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
    private readonly bool _pidLabel;

    public TcpStateMetrics(SnapshotStore store, SamplerStatistics statistics, Func<string> source, Configuration.ExporterOptions options, Web.AuthenticationStatistics authentication)
    {
        _store = store;
        _statistics = statistics;
        _pidLabel = options.PidLabel;
        _meter = new Meter(MeterName, Version);

        _meter.CreateObservableGauge("tcpstate.sockets", ObserveStates, "{socket}",
            "TCP sockets of the host's network namespace by state, IPv4 and IPv6 together; every state is always present.");
        _meter.CreateObservableGauge("tcpstate.port.sockets", ObservePorts, "{socket}",
            "TCP sockets by state, by the port that names the service (the local port for role=\"server\": a listener or a configured server port owns it; the remote port for role=\"client\") and by owning process (\"\" when no process holds the socket, \"(unknown)\" when its owner could not be read). port=\"other\" holds groups folded by the series cap.");
        _meter.CreateObservableGauge("tcpstate.oldest.socket.age", () => ObserveGroups<double>(g => g.OldestAge?.TotalSeconds), "s",
            "Age of the oldest socket in the group, for states followed for stuck sockets (--stuck.states). A lower bound: time since the exporter first saw the socket in this state; restarting the exporter resets it.");
        _meter.CreateObservableGauge("tcpstate.stuck.sockets", () => ObserveGroups<long>(g => g.OldestAge is null ? null : g.Stuck), "{socket}",
            "Sockets in the group at least --stuck.threshold old (time since first seen, a lower bound), for states followed for stuck sockets.");
        _meter.CreateObservableGauge("tcpstate.stuck.threshold", () => new Measurement<double>(options.StuckThreshold.TotalSeconds), "s",
            "The --stuck.threshold setting: the age from which a followed socket counts as stuck.");
        _meter.CreateObservableGauge("tcpstate.listen.queue", () => ObserveQueues(q => q.Length), "{connection}",
            "Connections waiting in the accept queue of the listeners on the port (summed over listeners sharing it, e.g. SO_REUSEPORT). At the limit, new connections are dropped.");
        _meter.CreateObservableGauge("tcpstate.listen.queue.limit", () => ObserveQueues(q => q.Limit), "{connection}",
            "The accept-queue limit (listen() backlog, capped by net.core.somaxconn) of the listeners on the port, summed like tcpstate_listen_queue. Absent with the proc source, which does not report it.");
        _meter.CreateObservableGauge("tcpstate.ephemeral.port.range.size", () => MeasureViews(s => s.PortRange?.Usable), "{port}",
            "Ports connect() can pick automatically: the size of net.ipv4.ip_local_port_range minus net.ipv4.ip_local_reserved_ports within it.");
        _meter.CreateObservableGauge("tcpstate.destination.ephemeral.ports", () => ObserveDestinations(d => d.PortsInUse), "{port}",
            "For the busiest remote destinations (--ephemeral.top-destinations), ephemeral local ports held by client sockets toward the address and port, TIME_WAIT included. When it reaches the range size, connect() to that destination fails with EADDRNOTAVAIL.");
        _meter.CreateObservableGauge("tcpstate.destination.ephemeral.port.ratio", () => ObserveDestinations(d => d.PortsInUse, perUsablePort: true), "1",
            "tcpstate_destination_ephemeral_ports divided by tcpstate_ephemeral_port_range_size: the share of the ephemeral range one destination holds.");
        _meter.CreateObservableGauge("tcpstate.destination.time.wait.sockets", () => ObserveDestinations(d => d.TimeWait), "{socket}",
            "For the same destinations, the client sockets toward them in TIME_WAIT: connections closed and re-dialled instead of reused.");
        _meter.CreateObservableGauge("tcpstate.unattributed.sockets", () => MeasureViews(s => (double)s.UnattributedSockets), "{socket}",
            "Sockets held by a process the exporter could not identify (its /proc/PID/fd was unreadable: missing CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH), reported with process=\"(unknown)\".");
        _meter.CreateObservableGauge("tcpstate.tracked.sockets", () => MeasureViews(s => (double)s.TrackedSockets), "{socket}",
            "Sockets followed for their age in the last sample.");
        _meter.CreateObservableGauge("tcpstate.attribution.duration", () => Measure(s => s.AttributionDuration.TotalSeconds), "s",
            "Of the last sample's duration, the time spent attributing sockets to processes (reading /proc/PID/fd).");
        _meter.CreateObservableGauge("tcpstate.sample.duration", () => Measure(s => s.Duration.TotalSeconds), "s",
            "Wall time the last good sample took.");
        _meter.CreateObservableGauge("tcpstate.sample.interval", () => new Measurement<double>((_statistics.SampleInterval ?? options.SampleInterval).TotalSeconds), "s",
            "The interval between sample starts in effect: --sample.interval, or longer (at most 5 minutes) while samples take more than a tenth of it (ten times the last sample's duration) or cost more CPU than --sample.max-cpu-percent of one core allows (a sample's sustained CPU time divided by nine tenths of that share); the longer wins.");
        _meter.CreateObservableGauge("tcpstate.last.sample.timestamp", () => Measure(s => s.Timestamp.ToUnixTimeMilliseconds() / 1000.0), "s",
            "Unix time at which the last good sample completed; data older than a few intervals is stale.");
        _meter.CreateObservableGauge("tcpstate.last.sample.success", () => new Measurement<int>(_statistics.LastSucceeded ? 1 : 0), null,
            "1 if the most recent sample succeeded, 0 if it failed (the last good sample is still served).");
        _meter.CreateObservableGauge("tcpstate.folded.series", () => MeasureViews(s => (double)s.FoldedGroups), "{series}",
            "Port groups folded into port=\"other\" in the last sample because of --metrics.max-port-series.");
        _meter.CreateObservableCounter("tcpstate.samples", () => new Measurement<long>(_statistics.Samples), "{sample}",
            "Samples attempted, successful or not.");
        _meter.CreateObservableCounter("tcpstate.sample.errors", ObserveErrors, "{sample}",
            "Samples that failed, by reason.");
        _meter.CreateObservableCounter("tcpstate.sample.retries",
            () => _statistics.Retries.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("reason", r.Key))), "{dump}",
            "Dumps tried again within a sample, by reason: dump_interrupted (the kernel flagged the dump inconsistent, NLM_F_DUMP_INTR) or netlink_overrun (ENOBUFS).");
        _meter.CreateObservableCounter("tcpstate.malformed.records", () => new Measurement<long>(_statistics.MalformedRecords), "{record}",
            "Socket records the kernel source returned that could not be parsed and were skipped.");
        _meter.CreateObservableCounter("tcpstate.http.auth.failures",
            () => authentication.Failures.Select(f => new Measurement<long>(f.Value, new KeyValuePair<string, object?>("reason", f.Key))), "{request}",
            "HTTP requests refused by basic authentication (--web.config.file): reason=\"missing\" (no or malformed credentials) or \"invalid\" (unknown user or wrong password).");
        _meter.CreateObservableGauge("tcpstate.netns.info", () => ObserveNamespaces(NamespaceInfo), null,
            "With --netns.enabled, 1 for each other network namespace sampled: its netns label, the container and Kubernetes pod uid read from the cgroup of a process in it (\"\" when none), that cgroup, the source that read it (netlink or proc), and hash_table: shared when the namespace uses the host's TCP hash table (each dump walks the whole host table; see net.ipv4.tcp_child_ehash_entries), own when it has its own, \"\" when unknown (proc source, kernels before 6.1).");
        _meter.CreateObservableGauge("tcpstate.netns.discovered", () => ObserveNamespaces<int>(set => [new Measurement<int>(set.Discovered)]), "{namespace}",
            "With --netns.enabled, the network namespaces found besides the exporter's own (processes' /proc/PID/ns/net and /run/netns).");
        _meter.CreateObservableGauge("tcpstate.netns.skipped",
            () => ObserveNamespaces(set => set.Skipped.Select(s => new Measurement<int>(s.Value, new KeyValuePair<string, object?>("reason", s.Key)))), "{namespace}",
            "With --netns.enabled, namespaces found but not sampled in the last sample, by reason: limit (over --netns.max), no_process (named, without a process, and no CAP_SYS_ADMIN to enter it), gone (vanished during the sample), error (logged).");
        _meter.CreateObservableGauge("tcpstate.netns.sample.duration", () => ObserveNamespaces(NamespaceDurations), "s",
            "With --netns.enabled, wall time of the last sample of each other namespace. Unless net.ipv4.tcp_child_ehash_entries was set before the namespace was created, its dump walks the host's whole TCP table.");
        _meter.CreateObservableGauge("tcpstate.build.info",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", Version), new KeyValuePair<string, object?>("source", source())),
            null, "Always 1: the exporter's version and the socket source in use (netlink or proc).");
    }

    // Every instrument of one collection must read the same sample, or a sample published between
    // two callbacks would make tcpstate_port_sockets disagree with tcpstate_sockets (or, before the
    // first sample, leave tcpstate_sockets out of a push that has tcpstate_last_sample_timestamp).
    // A collection runs its callbacks on the thread that asked for it, so the pin is per thread:
    // a scrape and an OTLP push collecting at the same time each keep their own sample.
    [ThreadStatic]
    private static Pin? t_pin;

    private SocketSnapshot? Current => t_pin is { } pin && ReferenceEquals(pin.Owner, this) ? pin.Snapshot : _store.Latest;

    /// <summary>
    /// Makes every callback run on this thread, until the result is disposed, read the sample that
    /// is current now (none, if no sample has succeeded yet). Wrap one collection in it.
    /// </summary>
    public IDisposable PinSnapshot()
    {
        var previous = t_pin;
        t_pin = new Pin(this, _store.Latest);
        return new Unpin(previous);
    }

    private sealed record Pin(TcpStateMetrics Owner, SocketSnapshot? Snapshot);

    private sealed class Unpin(Pin? previous) : IDisposable
    {
        public void Dispose() => t_pin = previous;
    }

    /// <summary>The version reported by --version and tcpstate_build_info.</summary>
    public static string Version { get; } =
        typeof(TcpStateMetrics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    // The host view (the exporter's own namespace) without netns/container labels, so its series
    // are the same whether --netns.enabled is on or off; then each other namespace with them.
    private IEnumerable<(SocketSnapshot Snapshot, (string Name, string? Value)[] Labels)> Views()
    {
        var snapshot = Current;
        if (snapshot is null) yield break;
        yield return (snapshot, []);
        if (snapshot.Namespaces is null) yield break;
        foreach (var space in snapshot.Namespaces.Sampled)
        {
            yield return (space.Snapshot, [("netns", space.Netns), ("container", space.Container)]);
        }
    }

    private IEnumerable<Measurement<long>> ObserveStates()
    {
        foreach (var (snapshot, view) in Views())
        {
            for (var i = 0; i < StateLabel.Count; i++)
            {
                yield return new Measurement<long>(snapshot.StateCounts[i], Labels([("state", StateLabel.Name(i)), .. view]));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObservePorts() => ObserveGroups<long>(g => g.Count);

    private IEnumerable<Measurement<T>> ObserveGroups<T>(Func<PortGroupCount, T?> read)
        where T : struct
    {
        foreach (var (snapshot, view) in Views())
        {
            foreach (var group in snapshot.PortGroups)
            {
                if (read(group) is not { } value) continue;
                yield return new Measurement<T>(value, Labels([
                    ("state", StateLabel.Name(group.StateIndex)),
                    ("role", group.Role == SocketRole.Server ? "server" : "client"),
                    ("port", group.PortLabel),
                    ("process", group.Process),
                    ("pid", group.Pid),
                    .. view]));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueues(Func<ListenQueue, long?> read)
    {
        foreach (var (snapshot, view) in Views())
        {
            foreach (var queue in snapshot.ListenQueues)
            {
                if (read(queue) is not { } value) continue;
                yield return new Measurement<long>(value, Labels([
                    ("port", queue.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("process", queue.Process),
                    ("pid", queue.Pid),
                    .. view]));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveDestinations(Func<DestinationUsage, long> read, bool perUsablePort = false)
    {
        foreach (var (snapshot, view) in Views())
        {
            var usable = snapshot.PortRange?.Usable ?? 0;
            if (perUsablePort && usable == 0) continue;
            foreach (var destination in snapshot.Destinations)
            {
                var value = (double)read(destination);
                yield return new Measurement<double>(perUsablePort ? value / usable : value, Labels([
                    ("address", destination.Address),
                    ("port", destination.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    .. view]));
            }
        }
    }

    // The pid label appears only when --process.pid-label is on; then "" for ownerless series.
    private KeyValuePair<string, object?>[] Labels((string Name, string? Value)[] labels)
    {
        var result = new List<KeyValuePair<string, object?>>(labels.Length);
        foreach (var (name, value) in labels)
        {
            if (name == "pid" && !_pidLabel) continue;
            result.Add(new KeyValuePair<string, object?>(name, value ?? ""));
        }

        return [.. result];
    }

    private IEnumerable<Measurement<long>> ObserveErrors()
    {
        foreach (var (reason, count) in _statistics.Errors)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    // One value per view (the host, then each other namespace with its labels), where it is known.
    private IEnumerable<Measurement<double>> MeasureViews(Func<SocketSnapshot, double?> read)
    {
        foreach (var (snapshot, view) in Views())
        {
            if (read(snapshot) is { } value) yield return new Measurement<double>(value, Labels(view));
        }
    }

    private IEnumerable<Measurement<T>> ObserveNamespaces<T>(Func<NamespaceSet, IEnumerable<Measurement<T>>> read)
        where T : struct
    {
        var set = Current?.Namespaces;
        return set is null ? [] : read(set);
    }

    private static IEnumerable<Measurement<int>> NamespaceInfo(NamespaceSet set) =>
        set.Sampled.Select(space => new Measurement<int>(1,
            new KeyValuePair<string, object?>("netns", space.Netns),
            new KeyValuePair<string, object?>("container", space.Container),
            new KeyValuePair<string, object?>("pod", space.Pod),
            new KeyValuePair<string, object?>("cgroup", space.Cgroup),
            new KeyValuePair<string, object?>("source", space.Snapshot.Source),
            new KeyValuePair<string, object?>("hash_table", space.SharedHashTable switch { true => "shared", false => "own", null => "" })));

    private static IEnumerable<Measurement<double>> NamespaceDurations(NamespaceSet set) =>
        set.Sampled.Select(space => new Measurement<double>(space.Snapshot.Duration.TotalSeconds,
            new KeyValuePair<string, object?>("netns", space.Netns),
            new KeyValuePair<string, object?>("container", space.Container)));

    private IEnumerable<Measurement<double>> Measure(Func<SocketSnapshot, double> read)
    {
        var snapshot = Current;
        if (snapshot is not null) yield return new Measurement<double>(read(snapshot));
    }

    public void Dispose() => _meter.Dispose();
}
