namespace TcpState.Core;

/// <summary>
/// One remote service called from this host: how many ephemeral local ports its client sockets
/// hold (each socket toward it, TIME_WAIT included, occupies one), and how many are TIME_WAIT.
/// </summary>
/// <param name="Address">The remote address, IPv4-mapped IPv6 shown as IPv4.</param>
/// <param name="Port">The remote port.</param>
/// <param name="PortsInUse">Client sockets toward it whose local port is in the ephemeral range.</param>
/// <param name="TimeWait">Of those, the ones in TIME_WAIT.</param>
public sealed record DestinationUsage(string Address, int Port, long PortsInUse, long TimeWait);
