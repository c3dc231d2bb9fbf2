namespace TcpState.Tests.Infrastructure;

/// <summary>The json SocketHolder prints after 'ACCEPTED ' for each connection taken by --accept.</summary>
public sealed record SocketHolderAccepted(int Port, int ClientPort);
