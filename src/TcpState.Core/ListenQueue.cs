namespace TcpState.Core;

/// <summary>The accept queue of the listeners on one port owned by one process (summed over SO_REUSEPORT sockets).</summary>
/// <param name="Port">The listening port.</param>
/// <param name="Process">The owner's <c>process</c> label value.</param>
/// <param name="Pid">The <c>pid</c> label value, when the pid label is on.</param>
/// <param name="Length">Connections waiting for accept().</param>
/// <param name="Limit">The backlog limit, or null when the source does not report it (/proc).</param>
public sealed record ListenQueue(int Port, string Process, string? Pid, long Length, long? Limit);
