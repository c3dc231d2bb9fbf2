using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketHolder;

/// <summary>
/// Builds the requested sockets and keeps every socket that must stay open referenced, so that neither the GC
/// nor a finalizer closes one and changes the states the tests count.
/// </summary>
internal sealed class SocketSet(HolderOptions options) : IDisposable
{
    // Loopback handshakes and FIN exchanges take microseconds; these limits only turn a broken setup into an
    // error message instead of a hang.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    // From <asm-generic/socket.h>.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private readonly Lock _gate = new();
    private readonly List<Socket> _held = [];
    private readonly Dictionary<int, Socket> _listeners = [];
    private readonly List<ListenerReport> _listenerReports = [];
    private readonly List<ConnectionReport> _connections = [];
    private readonly List<ExpectedSocket> _expected = [];

    private AddressFamily Family => options.Address.AddressFamily;

    public ReadyReport Build()
    {
        // All listeners first: a port that is already bound cannot be handed out as some client's ephemeral port.
        foreach (var listen in options.Listeners)
        {
            CreateListener(listen.Port, listen.Backlog);
            var accepting = options.Accepts.Any(a => a.Port == listen.Port);
            _listenerReports.Add(new ListenerReport(listen.Port, listen.Backlog, Queued: 0, accepting));
        }

        foreach (var full in options.ListenFull)
        {
            CreateListener(full.Port, full.Backlog);
        }

        foreach (var pair in options.Pairs)
        {
            for (var i = 0; i < pair.Count; i++)
            {
                RunPair(pair);
            }
        }

        foreach (var full in options.ListenFull)
        {
            FillAcceptQueue(full);
        }

        foreach (var connect in options.Connects)
        {
            for (var i = 0; i < connect.Count; i++)
            {
                ConnectExternal(connect.Port);
            }
        }

        WaitFor(_expected, SettleTimeout, "settling");

        return new ReadyReport(
            Environment.ProcessId,
            options.Address.ToString(),
            Family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4",
            (int)options.Timeout.TotalSeconds,
            _listenerReports,
            _connections);
    }

    /// <summary>Starts one background accept thread per --accept; each stops after its maximum or at process exit.</summary>
    public void StartAccepting(Action<AcceptedReport> onAccepted)
    {
        foreach (var accept in options.Accepts)
        {
            var listener = _listeners[accept.Port];
            var thread = new Thread(() => AcceptLoop(listener, accept, onAccepted))
            {
                // Background, so a thread blocked in accept() never keeps the process alive past stdin EOF or timeout.
                IsBackground = true,
                Name = $"accept {accept.Port}",
            };
            thread.Start();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }

            _held.Clear();
        }
    }

    private void AcceptLoop(Socket listener, AcceptRequest request, Action<AcceptedReport> onAccepted)
    {
        try
        {
            for (var i = 0; i < request.Max; i++)
            {
                var socket = listener.Accept();
                Hold(socket);
                onAccepted(new AcceptedReport(request.Port, Port(socket.RemoteEndPoint)));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The listener was closed because the process is exiting; nothing left to accept.
        }
    }

    private Socket NewSocket()
    {
        var socket = new Socket(Family, SocketType.Stream, ProtocolType.Tcp);
        if (Family == AddressFamily.InterNetworkV6)
        {
            // A v6-only socket keeps IPv4 traffic out, so per-family counts stay exact.
            socket.DualMode = false;
        }

        Hold(socket);
        return socket;
    }

    private void Hold(Socket socket)
    {
        lock (_gate)
        {
            _held.Add(socket);
        }
    }

    private void Close(Socket socket)
    {
        lock (_gate)
        {
            _held.Remove(socket);
        }

        // Plain close(): LingerState stays disabled, so the kernel sends a FIN, never a RST.
        socket.Close();
    }

    private void CreateListener(int port, int backlog)
    {
        var listener = NewSocket();

        // SO_REUSEADDR lets a later holder in the same namespace listen on a port that still has TIME_WAIT sockets
        // from an earlier one. Set raw: .NET's ReuseAddress option also sets SO_REUSEPORT on Linux, which would
        // let two holders silently listen on one port instead of failing.
        listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        listener.Bind(new IPEndPoint(options.Address, port));
        listener.Listen(backlog);
        _listeners.Add(port, listener);
        _expected.Add(new ExpectedSocket(port, 0, StateLabels.Listen, $"listener {port}"));
    }

    private void RunPair(PairRequest request)
    {
        var port = request.Port;
        var client = NewSocket();
        ConnectBounded(client, port);
        var clientPort = Port(client.LocalEndPoint);
        var server = AcceptBounded(_listeners[port], clientPort);

        // Referenced until exit: a socket the GC finalizes is closed abortively (RST), and the
        // server end would vanish from the table in the middle of a test.
        Hold(server);
        var scenario = request.Scenario;
        var name = $"{Name(scenario)} {port}<-{clientPort}";
        string clientState;
        string serverState;

        switch (scenario)
        {
            case PairScenario.Established:
                clientState = StateLabels.Established;
                serverState = StateLabels.Established;
                break;
            case PairScenario.CloseWait:
                Close(client);
                clientState = StateLabels.FinWait2;
                serverState = StateLabels.CloseWait;
                break;
            case PairScenario.FinWait2:
                // Half-close keeps the client socket owned by us, unlike close() which orphans it.
                client.Shutdown(SocketShutdown.Send);
                clientState = StateLabels.FinWait2;
                serverState = StateLabels.CloseWait;
                break;
            case PairScenario.TimeWaitServer:
                // The client must have seen the server's FIN before it closes; closing both at once would be a
                // simultaneous close (CLOSING) with TIME_WAIT on both sides.
                Close(server);
                WaitForEof(client, name);
                Close(client);
                clientState = StateLabels.None;
                serverState = StateLabels.TimeWait;
                break;
            case PairScenario.TimeWaitClient:
                Close(client);
                WaitForEof(server, name);
                Close(server);
                clientState = StateLabels.TimeWait;
                serverState = StateLabels.None;
                break;
            default:
                throw new InvalidOperationException($"unhandled scenario {scenario}");
        }

        _connections.Add(new ConnectionReport(Name(scenario), port, clientPort, clientState, serverState));
        _expected.Add(new ExpectedSocket(clientPort, port, clientState, $"{name} client"));
        _expected.Add(new ExpectedSocket(port, clientPort, serverState, $"{name} server"));
    }

    private void FillAcceptQueue(ListenFullRequest request)
    {
        var port = request.Port;

        // Linux treats the accept queue as full only when it holds more than backlog connections
        // (sk_acceptq_is_full), so backlog+1 handshakes complete and later SYNs are dropped.
        var queued = Math.Min(request.Clients, request.Backlog + 1);
        for (var i = 0; i < request.Clients; i++)
        {
            var client = NewSocket();

            // Bound explicitly so the ephemeral port is known even while the connect never completes.
            client.Bind(new IPEndPoint(options.Address, 0));
            var clientPort = Port(client.LocalEndPoint);
            var name = $"listen-full {port}<-{clientPort}";
            StartConnect(client, port);
            if (i < queued)
            {
                FinishConnect(client, port);

                // The next SYN must only arrive once this child is in the accept queue; otherwise it could still be
                // answered and its client would end up ESTABLISHED against a dropped final ACK.
                var server = new ExpectedSocket(port, clientPort, StateLabels.Established, $"{name} server");
                WaitFor([server], StepTimeout, name);
                _expected.Add(server);
                _expected.Add(new ExpectedSocket(clientPort, port, StateLabels.Established, $"{name} client"));
                _connections.Add(new ConnectionReport("listen-full", port, clientPort, StateLabels.Established, StateLabels.Established));
            }
            else
            {
                _expected.Add(new ExpectedSocket(clientPort, port, StateLabels.SynSent, $"{name} client"));
                _expected.Add(new ExpectedSocket(port, clientPort, StateLabels.None, $"{name} server"));
                _connections.Add(new ConnectionReport("listen-full", port, clientPort, StateLabels.SynSent, StateLabels.None));
            }
        }

        _listenerReports.Add(new ListenerReport(port, request.Backlog, queued, Accepting: false));
    }

    private void ConnectExternal(int port)
    {
        var client = NewSocket();
        ConnectBounded(client, port);
        var clientPort = Port(client.LocalEndPoint);
        _expected.Add(new ExpectedSocket(clientPort, port, StateLabels.Established, $"connect {port}<-{clientPort} client"));
        _connections.Add(new ConnectionReport("connect", port, clientPort, StateLabels.Established, ServerState: null));
    }

    private void ConnectBounded(Socket client, int port)
    {
        // A blocking connect() could wait for minutes of SYN retries; a non-blocking one plus poll is bounded.
        StartConnect(client, port);
        FinishConnect(client, port);
        client.Blocking = true;
    }

    private void StartConnect(Socket client, int port)
    {
        client.Blocking = false;
        try
        {
            client.Connect(new IPEndPoint(options.Address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Expected for a non-blocking connect: the handshake continues in the kernel.
        }
    }

    private static void FinishConnect(Socket client, int port)
    {
        if (!client.Poll(StepTimeout, SelectMode.SelectWrite))
        {
            throw new TimeoutException($"connect to port {port} did not complete within {StepTimeout.TotalSeconds} s");
        }

        var error = (int)client.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != 0)
        {
            throw new SocketException(error);
        }
    }

    private static Socket AcceptBounded(Socket listener, int clientPort)
    {
        if (!listener.Poll(StepTimeout, SelectMode.SelectRead))
        {
            throw new TimeoutException($"no connection to accept on port {Port(listener.LocalEndPoint)} within {StepTimeout.TotalSeconds} s");
        }

        var server = listener.Accept();
        var peerPort = Port(server.RemoteEndPoint);
        if (peerPort != clientPort)
        {
            // Someone else connected to our port; the report would attribute sockets wrongly.
            throw new InvalidOperationException($"accepted a connection from port {peerPort} while expecting {clientPort}");
        }

        return server;
    }

    private static void WaitForEof(Socket socket, string name)
    {
        socket.ReceiveTimeout = (int)StepTimeout.TotalMilliseconds;
        var buffer = new byte[16];
        int received;
        try
        {
            received = socket.Receive(buffer);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new TimeoutException($"{name}: peer's FIN did not arrive within {StepTimeout.TotalSeconds} s", e);
        }

        if (received != 0)
        {
            throw new InvalidOperationException($"{name}: expected end of stream, received {received} bytes");
        }
    }

    private void WaitFor(IReadOnlyList<ExpectedSocket> expected, TimeSpan timeout, string phase)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var table = ProcNetTcp.Read(Family);
            var unmet = expected.Where(e => !IsMet(e, table)).ToList();
            if (unmet.Count == 0)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                var details = unmet.Select(e =>
                {
                    var actual = table.Where(s => s.LocalPort == e.LocalPort && s.RemotePort == e.RemotePort).Select(s => s.State);
                    return $"  {e.Description}: expected {e.State} (local port {e.LocalPort}, remote port {e.RemotePort}), kernel has [{string.Join(", ", actual)}]";
                });
                throw new TimeoutException($"{phase}: sockets not in the expected state after {timeout.TotalSeconds} s:{Environment.NewLine}{string.Join(Environment.NewLine, details)}");
            }

            Thread.Sleep(PollInterval);
        }
    }

    private static bool IsMet(ExpectedSocket expected, IReadOnlyList<KernelSocket> table)
    {
        var matching = table.Where(s => s.LocalPort == expected.LocalPort && s.RemotePort == expected.RemotePort);
        return expected.State == StateLabels.None
            ? !matching.Any()
            : matching.Any(s => s.State == expected.State);
    }

    private static int Port(EndPoint? endPoint) =>
        (endPoint as IPEndPoint)?.Port ?? throw new InvalidOperationException("socket has no IP endpoint");

    private static string Name(PairScenario scenario) => scenario switch
    {
        PairScenario.Established => "established",
        PairScenario.CloseWait => "close-wait",
        PairScenario.FinWait2 => "fin-wait2",
        PairScenario.TimeWaitServer => "time-wait-server",
        PairScenario.TimeWaitClient => "time-wait-client",
        _ => throw new InvalidOperationException($"unhandled scenario {scenario}"),
    };
}
