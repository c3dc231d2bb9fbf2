namespace SocketHolder;

/// <summary>The json printed after 'READY '. Pid lets tests attribute sockets to this process.</summary>
internal sealed record ReadyReport(
    int Pid,
    string Address,
    string Family,
    int TimeoutSeconds,
    IReadOnlyList<ListenerReport> Listeners,
    IReadOnlyList<ConnectionReport> Connections);
