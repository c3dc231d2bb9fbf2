namespace TcpState.Tests.Infrastructure;

/// <summary>The json SocketHolder prints after 'READY '.</summary>
public sealed record SocketHolderReady(
    int Pid,
    string Address,
    string Family,
    int TimeoutSeconds,
    IReadOnlyList<SocketHolderListener> Listeners,
    IReadOnlyList<SocketHolderConnection> Connections);
