using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A loopback OTLP receiver for tests: a small Kestrel app that accepts metric exports over
/// OTLP/HTTP (POST of protobuf to any path; http/protobuf) or OTLP/gRPC (h2c), answers success and
/// keeps every request decoded. It serves a socket the test binds, so it can live in a test network
/// namespace, or be bound first and only listen later (connections are refused until then).
/// </summary>
public sealed partial class OtlpHttpReceiver : IDisposable
{
    private readonly WebApplication _app;
    private readonly List<OtlpExportRequest> _requests = [];

    private OtlpHttpReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public int Count
    {
        get { lock (_requests) return _requests.Count; }
    }

    public IReadOnlyList<OtlpExportRequest> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    /// <summary>
    /// A TCP socket bound to a free port on 127.0.0.1 but not listening (connections to it are
    /// refused), created inside <paramref name="ns"/> when given. Pass it to <see cref="Start(Socket, bool)"/>.
    /// </summary>
    public static Socket Bind(NetworkNamespace? ns = null)
    {
        static Socket Create()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }

        return ns is null ? Create() : ns.RunInside(Create);
    }

    /// <summary>Starts receiving on a new port of 127.0.0.1 (inside <paramref name="ns"/> when given).</summary>
    public static OtlpHttpReceiver Start(NetworkNamespace? ns = null, bool grpc = false)
    {
        using var socket = Bind(ns);
        return Start(socket, grpc);
    }

    /// <summary>Starts receiving on <paramref name="bound"/>, which the caller still owns (Kestrel gets a duplicate).</summary>
    public static OtlpHttpReceiver Start(Socket bound, bool grpc = false)
    {
        var port = ((IPEndPoint)bound.LocalEndPoint!).Port;
        // Kestrel closes the handle it is given: hand it a duplicate so that each side closes its own.
        var handle = Dup((int)bound.Handle);
        if (handle < 0) throw new InvalidOperationException($"dup failed: errno {Marshal.GetLastPInvokeError()}");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // gRPC over cleartext needs HTTP/2 with prior knowledge, which Kestrel speaks only on an HTTP/2-only endpoint.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle((ulong)handle, listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpHttpReceiver(app, port);
        app.MapPost("/{**path}", receiver.ReceiveAsync);
        app.StartAsync().GetAwaiter().GetResult();
        return receiver;
    }

    /// <summary>Waits for a request received after the first <paramref name="skip"/> that satisfies <paramref name="condition"/>.</summary>
    public OtlpExportRequest WaitFor(Func<OtlpExportRequest, bool> condition, TimeSpan timeout, int skip = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_requests)
        {
            var next = skip;
            while (true)
            {
                for (; next < _requests.Count; next++)
                {
                    if (condition(_requests[next])) return _requests[next];
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no matching OTLP export within {timeout.TotalSeconds} s; {_requests.Count} received");
                }

                Monitor.Wait(_requests, left);
            }
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        if (grpc)
        {
            // gRPC length-prefixed message: compressed flag (1 byte), length (4 bytes, big-endian), message.
            var compressed = body[0] == 1;
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4));
            body = body.AsSpan(5, length).ToArray();
            if (compressed) body = Gunzip(body);
        }
        else if (context.Request.Headers.ContentEncoding.ToString() == "gzip")
        {
            body = Gunzip(body);
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = OtlpProtobufDecoder.Decode(body, context.Request.Path, context.Request.ContentType ?? "", headers);
        lock (_requests)
        {
            _requests.Add(request);
            Monitor.PulseAll(_requests);
        }

        // An empty ExportMetricsServiceResponse means full success.
        if (grpc)
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
        }
        else
        {
            context.Response.ContentType = "application/x-protobuf";
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }
}
