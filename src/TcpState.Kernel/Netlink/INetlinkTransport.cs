namespace TcpState.Kernel.Netlink;

/// <summary>
/// The seam under <see cref="InetDiagReader"/>: one netlink datagram socket. The real one is
/// libc's; tests replay captured kernel replies through it with faults injected (errors,
/// interrupted or truncated dumps) that a live kernel cannot be made to produce on cue.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>Sends one request; returns 0, or a positive errno.</summary>
    int Send(ReadOnlySpan<byte> request);

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/>; returns its real length (larger than
    /// the buffer when it was truncated), or a negative errno.
    /// </summary>
    int Receive(Span<byte> buffer);
}
