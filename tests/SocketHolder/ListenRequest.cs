namespace SocketHolder;

/// <summary>A listening socket; Explicit is false when it only exists because a pair scenario needs it.</summary>
internal sealed record ListenRequest(int Port, int Backlog, bool Explicit);
