namespace TcpState.Core;

/// <summary>
/// The seam to the kernel: one way of reading the TCP socket table of a network namespace
/// (netlink <c>sock_diag</c>, or <c>/proc/net/tcp{,6}</c>).
/// </summary>
public interface ISocketTableSource : IDisposable
{
    /// <summary>The value of the <c>source</c> label: <c>netlink</c> or <c>proc</c>.</summary>
    string Name { get; }

    /// <summary>Whether LISTEN records carry the accept-queue limit in <see cref="SocketRecord.SendQueue"/> (netlink does, /proc does not).</summary>
    bool ReportsListenQueueLimit { get; }

    /// <summary>
    /// Reports every LISTEN socket (and possibly others) so that the main dump can tell server
    /// sockets from client ones as they stream past, whatever order the kernel returns them in.
    /// </summary>
    void DumpListeners(ISocketSink sink);

    /// <summary>Reports every TCP socket, IPv4 and IPv6, in every state.</summary>
    /// <exception cref="SocketTableException">The table could not be read.</exception>
    DumpResult Dump(ISocketSink sink);
}
