namespace SocketHolder;

/// <summary>READY json: one listening socket. Queued is the accept-queue length the holder left it with (ss Recv-Q).</summary>
internal sealed record ListenerReport(int Port, int Backlog, int Queued, bool Accepting);
