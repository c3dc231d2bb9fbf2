using System.Globalization;

namespace TcpState.Exporter.Systemd;

/// <summary>The watchdog systemd asks for with WatchdogSec= (WATCHDOG_USEC, WATCHDOG_PID).</summary>
public static class SystemdWatchdog
{
    /// <summary>The watchdog timeout meant for this process, or null when none is.</summary>
    public static TimeSpan? Timeout(string? watchdogUsec, string? watchdogPid, int ownPid)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
        {
            return null;
        }

        // A WATCHDOG_PID for another process (inherited by a child) is not ours to honour.
        if (!string.IsNullOrEmpty(watchdogPid) && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != ownPid))
        {
            return null;
        }

        return TimeSpan.FromTicks((long)Math.Min(usec * 10, (ulong)TimeSpan.MaxValue.Ticks));
    }
}
