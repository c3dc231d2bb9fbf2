namespace TcpState.Exporter.Systemd;

/// <summary>
/// The seam to systemd's notify protocol (sd_notify(3)); the official
/// Microsoft.Extensions.Hosting.Systemd package could stand behind it when it is available.
/// </summary>
public interface ISystemdNotifier
{
    /// <summary>Whether the service manager asked for notifications (NOTIFY_SOCKET is set).</summary>
    bool IsEnabled { get; }

    /// <summary>Sends newline-separated assignments such as <c>READY=1</c>; never throws.</summary>
    void Notify(string state);
}
