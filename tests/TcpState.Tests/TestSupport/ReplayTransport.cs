using System.Runtime.InteropServices;
using TcpState.Kernel.Netlink;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Answers each netlink request with the next scripted reply: a real kernel capture from
/// Fixtures/ (its sequence numbers rewritten to the request's), or a fault.
/// </summary>
public sealed class ReplayTransport : INetlinkTransport
{
    private readonly Queue<Reply> _script;
    private readonly Queue<byte[]> _pending = new();
    private int _receiveErrno;

    public ReplayTransport(params Reply[] script) => _script = new Queue<Reply>(script);

    /// <summary>The four dumps of one clean sample: IPv4 and IPv6 listeners, then all IPv4 and IPv6 sockets.</summary>
    public static Reply[] CleanSample =>
        [Reply.Capture("netlink-listen-inet.bin"), Reply.Capture("netlink-listen-inet6.bin"), Reply.Capture("netlink-inet.bin"), Reply.Capture("netlink-inet6.bin")];

    public int Requests { get; private set; }

    public int Send(ReadOnlySpan<byte> request)
    {
        Requests++;
        var reply = _script.Count > 0 ? _script.Dequeue() : throw new InvalidOperationException("the script has no reply left");
        if (reply.SendErrno != 0) return reply.SendErrno;
        var sequence = MemoryMarshal.Read<uint>(request[8..]);
        _receiveErrno = reply.ReceiveErrno;
        foreach (var datagram in reply.Datagrams(sequence)) _pending.Enqueue(datagram);
        return 0;
    }

    public int Receive(Span<byte> buffer)
    {
        if (_receiveErrno != 0)
        {
            var errno = _receiveErrno;
            _receiveErrno = 0;
            return -errno;
        }

        var datagram = _pending.Dequeue();
        if (datagram.Length > buffer.Length) return datagram.Length; // as recv(MSG_TRUNC) reports it
        datagram.CopyTo(buffer);
        return datagram.Length;
    }

    public void Dispose()
    {
    }

    /// <summary>One scripted answer to a request.</summary>
    public sealed record Reply(string? Fixture, int SendErrno = 0, int ReceiveErrno = 0, int NlmsgError = 0, bool Interrupted = false, int OversizedDatagram = 0)
    {
        public static Reply Capture(string fixture) => new(fixture);

        public IEnumerable<byte[]> Datagrams(uint sequence)
        {
            if (OversizedDatagram > 0)
            {
                yield return new byte[OversizedDatagram];
                yield break;
            }

            if (NlmsgError != 0)
            {
                // struct nlmsgerr: the error, then the request's header.
                var error = new byte[36];
                MemoryMarshal.Write(error.AsSpan(0), 36u);
                MemoryMarshal.Write(error.AsSpan(4), (ushort)2);
                MemoryMarshal.Write(error.AsSpan(8), sequence);
                MemoryMarshal.Write(error.AsSpan(16), -NlmsgError);
                yield return error;
                yield break;
            }

            var data = FixtureFiles.Read(Fixture!);
            for (var offset = 0; offset < data.Length;)
            {
                var length = (int)MemoryMarshal.Read<uint>(data.AsSpan(offset));
                MemoryMarshal.Write(data.AsSpan(offset + 8), sequence);
                if (Interrupted) data[offset + 6] |= 0x10; // NLM_F_DUMP_INTR
                offset += (length + 3) & ~3;
            }

            yield return data;
        }
    }
}
