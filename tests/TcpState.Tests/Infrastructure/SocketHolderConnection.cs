namespace TcpState.Tests.Infrastructure;

/// <summary>
/// A client/server pair from SocketHolder's READY json. Scenario is the SocketHolder option name without the leading dashes
/// (established, close-wait, fin-wait2, time-wait-server, time-wait-client, listen-full, connect). States are
/// <see cref="TcpStateLabels"/> values, "none" when that side's socket no longer exists, or null when the side
/// belongs to another process (connect).
/// </summary>
public sealed record SocketHolderConnection(string Scenario, int ServerPort, int ClientPort, string? ClientState, string? ServerState);
