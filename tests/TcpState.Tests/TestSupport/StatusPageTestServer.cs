using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TcpState.Exporter.StatusPage;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Kestrel in the test process serving the real status page and a scripted /api/v1/snapshot, for
/// the page's error and stale states, which the real exporter cannot be made to show on cue. It
/// listens on a socket made inside a test namespace, so a browser in that namespace reaches it and
/// nothing else.
/// </summary>
public sealed partial class StatusPageTestServer : IAsyncDisposable
{
    private const int DuplicateCloseOnExec = 1030; // F_DUPFD_CLOEXEC, include/uapi/linux/fcntl.h

    private readonly WebApplication _app;
    private int _snapshotRequests;

    private StatusPageTestServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public int SnapshotRequests => Volatile.Read(ref _snapshotRequests);

    /// <summary>
    /// Starts serving <paramref name="page"/> at / and, for the n-th request (from 1) to
    /// /api/v1/snapshot, whatever <paramref name="snapshot"/> returns for n.
    /// </summary>
    public static async Task<StatusPageTestServer> StartAsync(NetworkNamespace ns, StatusPageDocument page, Func<int, IResult> snapshot)
    {
        // The listening socket is made on a thread inside the namespace (sockets keep their
        // namespace), then handed to Kestrel as a duplicate descriptor that Kestrel owns and closes.
        var (handle, port) = ns.RunInside(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen(16);
            // F_DUPFD_CLOEXEC, not dup(): the browser the test starts must not inherit the listener.
            var duplicate = Fcntl((int)socket.Handle, DuplicateCloseOnExec, 0);
            if (duplicate < 0) throw new InvalidOperationException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
            return (duplicate, ((IPEndPoint)socket.LocalEndPoint!).Port);
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle((ulong)handle));
        var app = builder.Build();
        var server = new StatusPageTestServer(app, port);
        app.MapGet("/", StatusPageEndpoint.Create(page));
        app.MapGet("/api/v1/snapshot", () => snapshot(Interlocked.Increment(ref server._snapshotRequests)));
        await app.StartAsync().ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
