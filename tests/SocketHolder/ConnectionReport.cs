namespace SocketHolder;

/// <summary>
/// READY json: one client/server pair. States are state labels, "none" when that side's socket no longer exists,
/// or null when that side belongs to another process (--connect).
/// </summary>
internal sealed record ConnectionReport(string Scenario, int ServerPort, int ClientPort, string? ClientState, string? ServerState);
