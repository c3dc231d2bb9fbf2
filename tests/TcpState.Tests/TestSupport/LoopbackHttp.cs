using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A minimal HTTP/1.0 client over a blocking socket, run on a thread inside a test namespace so
/// that it reaches a server listening on that namespace's loopback.
/// </summary>
public static class LoopbackHttp
{
    public static HttpResult Get(NetworkNamespace ns, int port, string path, params (string Name, string Value)[] headers) =>
        ns.RunInside(() => Send(port, "GET", path, headers), TimeSpan.FromSeconds(20));

    public static HttpResult Send(int port, string method, string path, (string Name, string Value)[] headers)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 15_000, SendTimeout = 15_000 };
        socket.Connect(IPAddress.Loopback, port);
        var request = new StringBuilder($"{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
        foreach (var (name, value) in headers) request.Append($"{name}: {value}\r\n");
        request.Append("\r\n");
        socket.Send(Encoding.ASCII.GetBytes(request.ToString()));
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = socket.Receive(buffer)) > 0) received.Write(buffer, 0, n);
        return ParseResponse(received.ToArray());
    }

    private static HttpResult ParseResponse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new InvalidDataException($"no HTTP header end in {raw.Length} bytes");
        var head = Encoding.ASCII.GetString(raw, 0, end).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new HttpResult(status, headers, raw[(end + 4)..]);
    }
}
