using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability.Soak;

/// <summary>
/// Makes the socket table change between samples, in a namespace: SocketHolder processes started
/// and stopped in turn (each on a port of a rotating set, with LISTEN, ESTABLISHED, CLOSE_WAIT and
/// TIME_WAIT sockets, some under hostile process names), and connections opened to their
/// listeners and closed again (gracefully or with a reset) by a thread of this process inside the
/// namespace. Stop ends both and closes everything the churn made; what is left then is only what
/// the kernel keeps on its own for a while (TIME_WAIT, orphaned FIN_WAIT2).
/// </summary>
internal sealed class ChurnDriver : IDisposable
{
    public const int FirstPort = 20000;
    public const int Ports = 40;

    // Names a service can have; a line feed is left out because the .NET apphost crashes when its own
    // path holds one (the exporter reading such a comm is covered by the test suite's Perl listener).
    private static readonly byte[][] HostileNames =
    [
        [.. "svc \"quoted\""u8],
        [.. "back\\slash\\n"u8],
        [.. "with  spaces "u8],
        [.. "a-very-long-service-name-over-15"u8],
        [0xFF, 0xFE, (byte)'x', 0xC3],
        [.. "\u00fcn\u00efc\u00f6d\u00e9-\u00f1ame"u8],
        [.. "{}=,#\"\\"u8],
    ];

    private readonly NetworkNamespace _ns;
    private readonly string _holderPath;
    private readonly string _namesDirectory;
    private readonly List<string> _namedPaths = [];
    private readonly Queue<ChurnHolder> _alive = new();
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly int _maxAlive;
    private readonly TimeSpan _holderPeriod;
    private Thread? _holderThread;
    private Thread? _connectionThread;
    private volatile bool _stopping;
    private int _nextPort;

    public ChurnDriver(NetworkNamespace ns, string holderPath, int seed, int maxAlive, TimeSpan holderPeriod)
    {
        _ns = ns;
        _holderPath = holderPath;
        _random = new Random(seed);
        _maxAlive = maxAlive;
        _holderPeriod = holderPeriod;
        _namesDirectory = Directory.CreateTempSubdirectory("tcpstate-soak-names-").FullName;
        foreach (var name in HostileNames)
        {
            // The kernel names a process after the file it executed, so a symlink lends its name. The
            // shell's printf writes the raw bytes, which a .NET string (UTF-16) cannot carry.
            var path = Octal(Encoding.UTF8.GetBytes(_namesDirectory + "/")) + Octal(name);
            ProcessRunner.Run("sh", ["-c", $"ln -s \"$1\" \"$(printf '{path}')\"", "sh", holderPath], TimeSpan.FromSeconds(10)).EnsureSuccess();
            _namedPaths.Add(path);
        }
    }

    public long HoldersStarted { get; private set; }

    public long HoldersFailed { get; private set; }

    public long ConnectionsOpened { get; private set; }

    public long ConnectionsReset { get; private set; }

    /// <summary>Process names the churn used (as given; the kernel keeps 15 bytes of each).</summary>
    public IReadOnlyList<byte[]> Names => HostileNames;

    public void Start()
    {
        _stopping = false;
        _holderThread = new Thread(HolderLoop) { IsBackground = true, Name = "churn holders" };
        _connectionThread = new Thread(() => _ns.RunInside<object?>(ConnectionLoop, TimeSpan.FromHours(2))) { IsBackground = true, Name = "churn connections" };
        _holderThread.Start();
        _connectionThread.Start();
    }

    /// <summary>Stops the churn and everything it started; returns once all churn processes have exited.</summary>
    public void Stop()
    {
        _stopping = true;
        _holderThread?.Join();
        _connectionThread?.Join();
        lock (_gate)
        {
            while (_alive.Count > 0) _alive.Dequeue().Dispose();
        }
    }

    public void Dispose()
    {
        Stop();

        // rm rather than Directory.Delete: .NET cannot name the raw-byte symlinks to delete them.
        ProcessRunner.Run("rm", ["-rf", _namesDirectory], TimeSpan.FromSeconds(10));
    }

    private void HolderLoop()
    {
        while (!_stopping)
        {
            ChurnHolder? oldest = null;
            lock (_gate)
            {
                if (_alive.Count >= _maxAlive) oldest = _alive.Dequeue();
            }

            oldest?.Dispose();
            var port = FirstPort + (_nextPort++ % Ports);
            var (path, name, arguments) = _random.Next(3) == 0 ? (_holderPath, "SocketHolder", new List<string>()) : Named();
            arguments.AddRange([_random.Next(4) == 0 ? "--ipv6" : "--ipv4", "--timeout", "900", "--listen", $"{port}"]);

            // A random mix; each kind of pair is left out now and then (SocketHolder wants counts of at least 1).
            foreach (var (option, target, most) in new[] { ("--established", port, 5), ("--close-wait", port, 3), ("--time-wait-server", port, 2), ("--time-wait-client", port + 1000, 2) })
            {
                if (_random.Next(3) != 0) arguments.AddRange([option, $"{target}:{_random.Next(1, most + 1)}"]);
            }

            var holder = ChurnHolder.Start(_ns, path, name, port, arguments);
            if (holder is null)
            {
                HoldersFailed++;
                continue;
            }

            HoldersStarted++;
            lock (_gate)
            {
                _alive.Enqueue(holder);
            }

            Thread.Sleep(_holderPeriod);
        }
    }

    // Through sh, which execs the holder by the raw-byte path of its symlink.
    private (string Path, string Name, List<string> Arguments) Named()
    {
        var index = _random.Next(_namedPaths.Count);
        return ("sh", Encoding.UTF8.GetString(HostileNames[index]), ["-c", $"exec \"$(printf '{_namedPaths[index]}')\" \"$@\"", "sh"]);
    }

    // Every byte as a printf octal escape, so that no byte is special to the shell or to printf.
    private static string Octal(byte[] bytes) => string.Concat(bytes.Select(b => "\\" + Convert.ToString(b, 8).PadLeft(3, '0')));

    // Runs on a thread inside the namespace: sockets made here belong to it. Synchronous only
    // (non-blocking connect plus poll), so that no thread-pool thread is started from inside it.
    private object? ConnectionLoop()
    {
        var open = new List<Socket>();
        var random = new Random(_random.Next());
        try
        {
            while (!_stopping)
            {
                if (open.Count < 48 && random.Next(3) != 0)
                {
                    int[] ports;
                    lock (_gate) ports = [.. _alive.Select(h => h.Port)];
                    if (ports.Length > 0 && TryConnect(ports[random.Next(ports.Length)], out var socket))
                    {
                        open.Add(socket!);
                        ConnectionsOpened++;
                    }
                }
                else if (open.Count > 0)
                {
                    var index = random.Next(open.Count);
                    var socket = open[index];
                    open.RemoveAt(index);
                    if (random.Next(4) == 0)
                    {
                        socket.LingerState = new LingerOption(true, 0); // an abortive close: RST, no TIME_WAIT
                        ConnectionsReset++;
                    }

                    socket.Dispose();
                }

                Thread.Sleep(2);
            }
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }

        return null;
    }

    private static bool TryConnect(int port, out Socket? socket)
    {
        // The holder may listen on IPv4 or IPv6 loopback; the wrong one just refuses.
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            var candidate = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                candidate.Connect(new IPEndPoint(address, port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // Connecting; a listener whose accept queue is full drops the SYN, so wait briefly only.
            }
            catch (SocketException)
            {
                candidate.Dispose();
                continue;
            }

            if (candidate.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectWrite) && candidate.Connected)
            {
                socket = candidate;
                return true;
            }

            candidate.Dispose();
        }

        socket = null;
        return false;
    }
}
