namespace TcpState.Core;

/// <summary>Which side of a connection a socket is on, as seen from this host.</summary>
public enum SocketRole : byte
{
    /// <summary>The local port has a listening socket (or is configured as a server port): the port names this host's service.</summary>
    Server = 0,

    /// <summary>Any other socket: the remote port names the service being called.</summary>
    Client = 1,
}
