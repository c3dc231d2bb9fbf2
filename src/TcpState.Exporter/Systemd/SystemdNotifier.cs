using System.Net.Sockets;
using System.Text;

namespace TcpState.Exporter.Systemd;

/// <summary>
/// sd_notify(3) over the unix datagram socket named by NOTIFY_SOCKET: a filesystem path, or an
/// abstract name written with a leading '@'.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier, IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Lock _gate = new();

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket) || (notifySocket[0] != '/' && notifySocket[0] != '@'))
        {
            return;
        }

        // .NET names the abstract namespace with a leading NUL, as the kernel does.
        _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The notifier for this process's environment.</summary>
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool IsEnabled => _socket is not null;

    public void Notify(string state)
    {
        if (_socket is null) return;
        try
        {
            lock (_gate)
            {
                _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!);
            }
        }
        catch (SocketException)
        {
            // The manager went away or refused: notifications are advisory, the daemon goes on.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
