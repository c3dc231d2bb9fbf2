namespace TcpState.Benchmarks.Peers;

/// <summary>Everything measured on one size of one mix (one column of the table).</summary>
internal sealed record SizeMeasurement(
    LoadPlan Plan,
    SocketCounts CountsAtStart,
    IReadOnlyList<long> ReferenceStates,
    IReadOnlyDictionary<string, PeerStats> Peers,
    BackToBack BackToBack,
    AttributionResult Attribution,
    DaemonResult? Daemon,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Problems)
{
    public PeerStats this[string key] => Peers[key];
}
