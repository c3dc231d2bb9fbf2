namespace SocketHolder;

/// <summary>A listener that never accepts, with Clients connecting until its accept queue overflows.</summary>
internal sealed record ListenFullRequest(int Port, int Backlog, int Clients);
