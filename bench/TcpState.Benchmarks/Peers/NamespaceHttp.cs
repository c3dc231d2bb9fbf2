using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// A minimal HTTP/1.0 GET to a server listening on loopback inside a namespace. The TCP socket is
/// created and connected on a thread inside the namespace (it keeps that namespace), the request
/// is timed from the first byte sent to the server closing the connection, so the time is the
/// server's response time with no client-side library or process start in it. HTTP/1.0 so that
/// the reply is never chunked and ends with the connection.
/// </summary>
internal static class NamespaceHttp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Status code, body and the time from sending the request to the end of the reply.</summary>
    public static (int Status, string Body, TimeSpan Elapsed) Get(NetworkNamespace networkNamespace, int port, string path)
    {
        using var socket = networkNamespace.RunInside(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                ReceiveTimeout = (int)Timeout.TotalMilliseconds,
                SendTimeout = (int)Timeout.TotalMilliseconds,
                NoDelay = true,
            };
            try
            {
                s.Connect(new IPEndPoint(IPAddress.Loopback, port));
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        });

        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        var response = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var clock = Stopwatch.StartNew();
        socket.Send(request);
        int read;
        while ((read = socket.Receive(buffer)) > 0)
        {
            response.Write(buffer, 0, read);
        }

        var elapsed = clock.Elapsed;
        var text = Encoding.UTF8.GetString(response.GetBuffer(), 0, (int)response.Length);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var statusLine = text.Split("\r\n", 2)[0].Split(' ');
        if (headerEnd < 0 || statusLine.Length < 2 || !int.TryParse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidOperationException($"not an HTTP reply from 127.0.0.1:{port}{path}: '{text[..Math.Min(200, text.Length)]}'");
        }

        return (status, text[(headerEnd + 4)..], elapsed);
    }

    /// <summary>Polls until the server answers 200, at most <paramref name="timeout"/>; throws TimeoutException otherwise.</summary>
    public static void WaitUntilServing(NetworkNamespace networkNamespace, int port, string path, TimeSpan timeout, Func<string> describeFailure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (Get(networkNamespace, port, path).Status == 200)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"nothing served 200 on 127.0.0.1:{port}{path} within {timeout.TotalSeconds:0} s: {describeFailure()}");
            }

            Thread.Sleep(200);
        }
    }
}
