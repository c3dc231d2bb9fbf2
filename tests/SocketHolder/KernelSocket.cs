namespace SocketHolder;

/// <summary>One row of /proc/net/tcp{,6}, reduced to what the settle check compares.</summary>
internal sealed record KernelSocket(int LocalPort, int RemotePort, string State);
