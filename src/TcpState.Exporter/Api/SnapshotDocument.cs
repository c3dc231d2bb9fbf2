using TcpState.Core;

namespace TcpState.Exporter.Api;

/// <summary>
/// The JSON form of a snapshot served at <c>/api/v1/snapshot</c>: what <c>snapshot</c> prints
/// when a daemon is running (with the daemon's ages), and what a status page can render.
/// </summary>
public sealed record SnapshotDocument(
    DateTimeOffset Timestamp,
    double DurationSeconds,
    string Source,
    IReadOnlyDictionary<string, long> States,
    IReadOnlyList<SnapshotDocument.Group> Groups,
    IReadOnlyList<SnapshotDocument.Queue> ListenQueues,
    int FoldedGroups,
    long UnattributedSockets,
    SnapshotDocument.Range? PortRange = null,
    IReadOnlyList<SnapshotDocument.Destination>? Destinations = null,
    IReadOnlyList<SnapshotDocument.Namespace>? Namespaces = null,
    double? IntervalSeconds = null)
{
    /// <summary>Another network namespace's sample (<c>--netns.enabled</c>); its own namespaces list is null.</summary>
    public sealed record Namespace(string Netns, string Container, string Pod, string Cgroup, SnapshotDocument Snapshot);

    public sealed record Range(int Low, int High, int Reserved, int Usable);

    public sealed record Destination(string Address, int Port, long PortsInUse, long TimeWait, double? ShareOfRange);

    public sealed record Group(string State, string Role, string Port, string Process, string? Pid, long Sockets, double? OldestAgeSeconds, long? Stuck);

    public sealed record Queue(int Port, string Process, string? Pid, long Length, long? Limit);

    /// <param name="snapshot">The sample.</param>
    /// <param name="interval">The sampling interval in effect (longer than the setting after slow samples), when known.</param>
    public static SnapshotDocument From(SocketSnapshot snapshot, TimeSpan? interval = null) => new(
        snapshot.Timestamp,
        snapshot.Duration.TotalSeconds,
        snapshot.Source,
        Enumerable.Range(0, StateLabel.Count).ToDictionary(StateLabel.Name, i => snapshot.StateCounts[i]),
        snapshot.PortGroups.Select(g => new Group(
            StateLabel.Name(g.StateIndex), g.Role == SocketRole.Server ? "server" : "client", g.PortLabel, g.Process, g.Pid, g.Count,
            g.OldestAge?.TotalSeconds, g.OldestAge is null ? null : g.Stuck)).ToList(),
        snapshot.ListenQueues.Select(q => new Queue(q.Port, q.Process, q.Pid, q.Length, q.Limit)).ToList(),
        snapshot.FoldedGroups,
        snapshot.UnattributedSockets,
        snapshot.PortRange is { } range ? new Range(range.Low, range.High, range.Reserved, range.Usable) : null,
        snapshot.Destinations.Select(d => new Destination(d.Address, d.Port, d.PortsInUse, d.TimeWait,
            snapshot.PortRange is { Usable: > 0 } r ? (double)d.PortsInUse / r.Usable : null)).ToList(),
        snapshot.Namespaces?.Sampled.Select(n => new Namespace(n.Netns, n.Container, n.Pod, n.Cgroup, From(n.Snapshot))).ToList(),
        interval?.TotalSeconds);

    /// <summary>Back to a snapshot, for printing; fails on a document this version cannot read.</summary>
    public SocketSnapshot ToSnapshot() => new()
    {
        Timestamp = Timestamp,
        Duration = TimeSpan.FromSeconds(DurationSeconds),
        Source = Source,
        StateCounts = Enumerable.Range(0, StateLabel.Count).Select(i => States.GetValueOrDefault(StateLabel.Name(i))).ToArray(),
        PortGroups = Groups.Select(g => new PortGroupCount(
            StateLabel.IndexOf(g.State),
            g.Role == "server" ? SocketRole.Server : SocketRole.Client,
            g.Port == "other" ? PortGroupCount.Other : int.Parse(g.Port, System.Globalization.CultureInfo.InvariantCulture),
            g.Sockets)
        {
            Process = g.Process,
            Pid = g.Pid,
            OldestAge = g.OldestAgeSeconds is { } age ? TimeSpan.FromSeconds(age) : null,
            Stuck = g.Stuck ?? 0,
        }).ToArray(),
        ListenQueues = ListenQueues.Select(q => new ListenQueue(q.Port, q.Process, q.Pid, q.Length, q.Limit)).ToList(),
        FoldedGroups = FoldedGroups,
        MalformedRecords = 0,
        Retries = 0,
        UnattributedSockets = UnattributedSockets,
        PortRange = PortRange is { } range ? new PortRange(range.Low, range.High, range.Reserved) : null,
        Destinations = (Destinations ?? []).Select(d => new DestinationUsage(d.Address, d.Port, d.PortsInUse, d.TimeWait)).ToList(),
    };
}
