using System.Globalization;
using System.Text;
using TcpState.Core;

namespace TcpState.Exporter.Commands;

/// <summary>Renders a snapshot as the readable table that <c>tcpstate-exporter snapshot</c> prints.</summary>
public static class SnapshotTable
{
    public static string Format(SocketSnapshot snapshot, int topPerState)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{snapshot.TotalSockets} TCP sockets (IPv4 and IPv6), read from {snapshot.Source} in {snapshot.Duration.TotalMilliseconds:0.0} ms at {snapshot.Timestamp:u}");
        text.AppendLine();
        text.AppendLine("STATE         SOCKETS");
        for (var i = 0; i < StateLabel.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{StateLabel.Name(i),-12} {snapshot.StateCounts[i],8}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"TOP {topPerState} GROUPS PER STATE (server: local port with a listener; client: remote port called)");
        text.AppendLine("STATE        ROLE     PORT     PROCESS           SOCKETS  OLDEST  STUCK");
        for (var state = 0; state < StateLabel.Count; state++)
        {
            var top = snapshot.PortGroups
                .Where(g => g.StateIndex == state)
                .OrderByDescending(g => g.Count)
                .ThenBy(g => g.Role)
                .ThenBy(g => g.Port)
                .ThenBy(g => g.Process, StringComparer.Ordinal)
                .Take(topPerState);
            var first = true;
            foreach (var group in top)
            {
                var name = first ? StateLabel.Name(state) : "";
                var role = group.Role == SocketRole.Server ? "server" : "client";
                var process = group.Process.Length == 0 ? "-" : group.Pid is null ? group.Process : $"{group.Process}[{group.Pid}]";
                var oldest = group.OldestAge is { } age ? FormatAge(age) : "-";
                var stuck = group.OldestAge is null ? "-" : group.Stuck.ToString(CultureInfo.InvariantCulture);
                text.AppendLine(CultureInfo.InvariantCulture, $"{name,-12} {role,-8} {group.PortLabel,-8} {process,-16} {group.Count,8} {oldest,7} {stuck,6}");
                first = false;
            }
        }

        if (snapshot.ListenQueues.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("LISTEN QUEUES");
            text.AppendLine("PORT     PROCESS           QUEUED   LIMIT");
            foreach (var queue in snapshot.ListenQueues)
            {
                var limit = queue.Limit?.ToString(CultureInfo.InvariantCulture) ?? "-";
                text.AppendLine(CultureInfo.InvariantCulture, $"{queue.Port,-8} {(queue.Process.Length == 0 ? "-" : queue.Process),-16} {queue.Length,7} {limit,7}");
            }
        }

        if (snapshot.Destinations.Count > 0 && snapshot.PortRange is { } range)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"BUSIEST DESTINATIONS (ephemeral range {range.Low}-{range.High}, {range.Usable} usable ports)");
            text.AppendLine("ADDRESS                                  PORT    PORTS  SHARE  TIME_WAIT");
            foreach (var destination in snapshot.Destinations)
            {
                var share = range.Usable > 0 ? (double)destination.PortsInUse / range.Usable : 0;
                text.AppendLine(CultureInfo.InvariantCulture, $"{destination.Address,-40} {destination.Port,-6} {destination.PortsInUse,6} {share,6:P0} {destination.TimeWait,10}");
            }
        }

        if (snapshot.UnattributedSockets > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{snapshot.UnattributedSockets} sockets have an owner that could not be identified (shown as \"(unknown)\"): its /proc/PID/fd is unreadable (run as root, or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH) or its process is not visible here (another PID namespace).");
        }

        if (snapshot.FoldedGroups > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{snapshot.FoldedGroups} small port groups are folded into port \"other\" (--metrics.max-port-series).");
        }

        if (snapshot.MalformedRecords > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{snapshot.MalformedRecords} malformed records were skipped.");
        }

        return text.ToString();
    }

    // Ages since first seen; the daemon samples continuously, but snapshot sees each socket once.
    private static string FormatAge(TimeSpan age) => age.TotalSeconds switch
    {
        < 60 => $"{age.TotalSeconds:0}s",
        < 3600 => $"{(int)age.TotalMinutes}m{age.Seconds:00}s",
        _ => $"{(int)age.TotalHours}h{age.Minutes:00}m",
    };
}
