namespace TcpState.Tests.Infrastructure;

/// <summary>A listener from SocketHolder's READY json; Queued is its accept-queue length (ss Recv-Q), Backlog its ss Send-Q.</summary>
public sealed record SocketHolderListener(int Port, int Backlog, int Queued, bool Accepting);
