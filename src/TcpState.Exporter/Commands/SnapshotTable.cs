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
        text.AppendLine(CultureInfo.InvariantCulture, $"TOP {topPerState} PORTS PER STATE (server: local port with a listener; client: remote port called)");
        text.AppendLine("STATE        ROLE     PORT     SOCKETS");
        for (var state = 0; state < StateLabel.Count; state++)
        {
            var top = snapshot.PortGroups
                .Where(g => g.StateIndex == state)
                .OrderByDescending(g => g.Count)
                .ThenBy(g => g.Role)
                .ThenBy(g => g.Port)
                .Take(topPerState);
            var first = true;
            foreach (var group in top)
            {
                var name = first ? StateLabel.Name(state) : "";
                var role = group.Role == SocketRole.Server ? "server" : "client";
                text.AppendLine(CultureInfo.InvariantCulture, $"{name,-12} {role,-8} {group.PortLabel,-8} {group.Count,7}");
                first = false;
            }
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
}
