using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TcpState.Tests.Infrastructure;

/// <summary>
/// Parsed 'ss -tan' / 'ss -ltn' output, the reference the exporter's counts are compared with. The parser is
/// strict: any line it does not fully understand throws a FormatException quoting the line, because silently
/// skipping a line would make a count comparison pass for the wrong reason.
/// </summary>
public sealed class SsOutput
{
    private SsOutput(IReadOnlyList<SsSocket> sockets, string text)
    {
        Sockets = sockets;
        Text = text;
    }

    public IReadOnlyList<SsSocket> Sockets { get; }

    /// <summary>The raw ss output, for assertion messages.</summary>
    public string Text { get; }

    /// <summary>Runs 'ss -tanH' (all TCP sockets, numeric) inside the namespace.</summary>
    public static SsOutput CaptureAll(NetworkNamespace networkNamespace) => Capture(networkNamespace, "-tanH");

    /// <summary>Runs 'ss -ltnH' (listening TCP sockets, numeric) inside the namespace.</summary>
    public static SsOutput CaptureListening(NetworkNamespace networkNamespace) => Capture(networkNamespace, "-ltnH");

    /// <summary>Parses ss output; a leading header line ('State Recv-Q ...') is allowed, everything else must be a socket line.</summary>
    public static SsOutput Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sockets = new List<SsSocket>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (i == 0 && line.StartsWith("State", StringComparison.Ordinal) && line.Contains("Recv-Q", StringComparison.Ordinal))
            {
                continue;
            }

            sockets.Add(ParseLine(line));
        }

        return new SsOutput(sockets, text);
    }

    public int Count(string state) => Sockets.Count(s => s.State == state);

    public int Count(string state, AddressFamily family) => Sockets.Count(s => s.State == state && s.Family == family);

    public int Count(string state, int localPort, int remotePort) =>
        Sockets.Count(s => s.State == state && s.LocalPort == localPort && s.PeerPort == remotePort);

    /// <summary>Counts per state label; states with no socket are absent.</summary>
    public IReadOnlyDictionary<string, int> CountByState() =>
        Sockets.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count());

    public IReadOnlyDictionary<(string State, AddressFamily Family), int> CountByStateAndFamily() =>
        Sockets.GroupBy(s => (s.State, s.Family)).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Counts per (state, local port, remote port); listeners have remote port 0.</summary>
    public IReadOnlyDictionary<(string State, int LocalPort, int RemotePort), int> CountByStateAndPorts() =>
        Sockets.GroupBy(s => (s.State, s.LocalPort, s.PeerPort)).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Recv-Q (current accept queue) and Send-Q (backlog) of each listener, keyed by port and family.</summary>
    public IReadOnlyDictionary<(int Port, AddressFamily Family), (long RecvQ, long SendQ)> ListenQueues()
    {
        var result = new Dictionary<(int Port, AddressFamily Family), (long RecvQ, long SendQ)>();
        foreach (var socket in Sockets.Where(s => s.State == TcpStateLabels.Listen))
        {
            if (!result.TryAdd((socket.LocalPort, socket.Family), (socket.RecvQ, socket.SendQ)))
            {
                throw new InvalidOperationException($"two {socket.Family} listeners on port {socket.LocalPort}:{Environment.NewLine}{Text}");
            }
        }

        return result;
    }

    /// <summary>Recv-Q and Send-Q of the one listener on <paramref name="port"/>; throws if there is not exactly one.</summary>
    public (long RecvQ, long SendQ) ListenQueue(int port)
    {
        var listeners = Sockets.Where(s => s.State == TcpStateLabels.Listen && s.LocalPort == port).ToList();
        return listeners.Count == 1
            ? (listeners[0].RecvQ, listeners[0].SendQ)
            : throw new InvalidOperationException($"expected one listener on port {port}, found {listeners.Count}:{Environment.NewLine}{Text}");
    }

    public override string ToString() => Text;

    private static SsOutput Capture(NetworkNamespace networkNamespace, string options)
    {
        ArgumentNullException.ThrowIfNull(networkNamespace);
        return Parse(networkNamespace.Exec(SystemTools.Ss, options).EnsureSuccess().StandardOutput);
    }

    private static SsSocket ParseLine(string line)
    {
        // Without -p/-e/-o the columns are exactly: State Recv-Q Send-Q Local:Port Peer:Port.
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw Unparsable(line, $"expected 5 columns, found {fields.Length}");
        }

        var state = TcpStateLabels.FromSs(fields[0]) ?? throw Unparsable(line, $"unknown state '{fields[0]}'");
        var recvQ = Queue(line, fields[1]);
        var sendQ = Queue(line, fields[2]);
        var (localAddress, localPort, localFamily) = Endpoint(line, fields[3]);
        var (peerAddress, peerPort, peerFamily) = Endpoint(line, fields[4]);
        if (localFamily != peerFamily && localAddress != "*" && peerAddress != "*")
        {
            throw Unparsable(line, "local and peer address families differ");
        }

        // A '*' side says nothing about the family on its own; the other side decides (both '*' means IPv6).
        var family = localAddress == "*" ? peerFamily : localFamily;
        return new SsSocket(state, recvQ, sendQ, localAddress, localPort, peerAddress, peerPort, family);
    }

    private static long Queue(string line, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Unparsable(line, $"'{text}' is not a queue size");

    private static (string Address, int Port, AddressFamily Family) Endpoint(string line, string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            throw Unparsable(line, $"'{text}' is not ADDRESS:PORT");
        }

        var addressText = text[..colon];
        var portText = text[(colon + 1)..];
        int port;
        if (portText == "*")
        {
            port = 0;
        }
        else if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            throw Unparsable(line, $"'{portText}' is not a port");
        }

        if (addressText == "*")
        {
            // ss prints '*' only for the IPv6 wildcard of a socket that is not v6-only (IPv4 any is 0.0.0.0).
            return ("*", port, AddressFamily.InterNetworkV6);
        }

        // An interface suffix ('%lo') follows the address, after the bracket for IPv6.
        var bracketed = addressText.StartsWith('[');
        var percent = addressText.IndexOf('%', StringComparison.Ordinal);
        var bare = percent >= 0 ? addressText[..percent] : addressText;
        if (bracketed)
        {
            if (!bare.EndsWith(']'))
            {
                throw Unparsable(line, $"'{text}' has an unterminated bracket");
            }

            bare = bare[1..^1];
        }

        var expected = bracketed ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (!IPAddress.TryParse(bare, out var address) || address.AddressFamily != expected)
        {
            throw Unparsable(line, $"'{addressText}' is not a{(bracketed ? " bracketed IPv6" : "n IPv4")} address");
        }

        return (bare, port, expected);
    }

    private static FormatException Unparsable(string line, string reason) =>
        new($"cannot parse ss line ({reason}): '{line}'");
}
