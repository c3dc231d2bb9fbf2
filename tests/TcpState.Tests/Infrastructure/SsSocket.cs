using System.Net.Sockets;

namespace TcpState.Tests.Infrastructure;

/// <summary>
/// One line of 'ss -tan'. State is a <see cref="TcpStateLabels"/> value. A '*' port (listeners' peer) is 0, as in
/// /proc/net/tcp. Family is InterNetworkV6 for bracketed addresses and for '*' (ss prints a dual-stack IPv6
/// wildcard that way); for LISTEN rows RecvQ is the accept-queue length and SendQ the backlog.
/// </summary>
public sealed record SsSocket(
    string State,
    long RecvQ,
    long SendQ,
    string LocalAddress,
    int LocalPort,
    string PeerAddress,
    int PeerPort,
    AddressFamily Family);
