using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Plays systemd's side of sd_notify: a unix datagram socket (a path, or an abstract name written
/// with '@') that records every message with the time it arrived.
/// </summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<(TimeSpan At, string Message)> _messages = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _receiver;
    private readonly string? _directory;

    public NotifyListener(bool abstractName)
    {
        if (abstractName)
        {
            var name = $"tcpstate-test-notify-{Guid.NewGuid():N}";
            NotifySocket = "@" + name;
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("tcpstate-notify-").FullName;
            NotifySocket = Path.Combine(_directory, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(NotifySocket));
        }

        _receiver = new Thread(Receive) { IsBackground = true, Name = "notify listener" };
        _receiver.Start();
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string NotifySocket { get; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Every assignment received (messages split at newlines), with arrival times.</summary>
    public IReadOnlyList<(TimeSpan At, string Assignment)> Assignments
    {
        get
        {
            lock (_messages)
            {
                return _messages.SelectMany(m => m.Message.Split('\n').Select(a => (m.At, a))).ToList();
            }
        }
    }

    /// <summary>Waits (bounded) for an assignment starting with <paramref name="prefix"/> after <paramref name="since"/>.</summary>
    public string WaitFor(string prefix, TimeSpan timeout, TimeSpan since = default)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            var found = Assignments.FirstOrDefault(a => a.At >= since && a.Assignment.StartsWith(prefix, StringComparison.Ordinal));
            if (found.Assignment is not null) return found.Assignment;
            Thread.Sleep(50);
        }

        throw new TimeoutException($"no {prefix} within {timeout}; received: {string.Join(" | ", Assignments.Select(a => a.Assignment))}");
    }

    private void Receive()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = _socket.Receive(buffer);
                lock (_messages) _messages.Add((_clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, length)));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // closed
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }
}
