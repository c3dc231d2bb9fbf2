namespace TcpState.Core;

/// <summary>A socket table could not be read. <see cref="Reason"/> is a short label value.</summary>
public sealed class SocketTableException : Exception
{
    public SocketTableException(string reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    /// <summary>The <c>reason</c> label of <c>tcpstate_sample_errors_total</c>, e.g. <c>netlink_error</c>.</summary>
    public string Reason { get; }

    /// <summary>A passing condition (e.g. a receive-buffer overrun): the sampler tries the dump again.</summary>
    public bool Transient { get; init; }
}
