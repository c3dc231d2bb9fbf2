namespace SocketHolder;

/// <summary>N clients connecting to a port that another process (e.g. another SocketHolder) listens on.</summary>
internal sealed record ConnectRequest(int Port, int Count);
