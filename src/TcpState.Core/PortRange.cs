namespace TcpState.Core;

/// <summary>
/// The ephemeral port range of a network namespace (net.ipv4.ip_local_port_range) and how many of
/// its ports connect() may actually pick (net.ipv4.ip_local_reserved_ports taken out).
/// </summary>
public sealed record PortRange(int Low, int High, int Reserved)
{
    /// <summary>Ports a client socket can be given automatically.</summary>
    public int Usable => Math.Max(0, High - Low + 1 - Reserved);

    public bool Contains(ushort port) => port >= Low && port <= High;
}
