using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// A line-by-line C# mirror of what the OpenTelemetry Collector's hostmetrics network scraper
/// costs on Linux: it calls gopsutil's <c>net.ConnectionsWithContext(ctx, "tcp")</c> (gopsutil
/// v4, <c>net/net_linux.go</c>) and counts the result by status. Mirrored, function by function:
/// <list type="bullet">
/// <item><c>getProcInodesAll</c>: list /proc, and for every pid readdir /proc/PID/fd and readlink
/// each entry; "socket:[N]" goes into a <c>map[string][]inodeMap</c> keyed by the inode as a string.</item>
/// <item><c>processInet</c>, for net/tcp then net/tcp6: <c>os.ReadFile</c> of the whole file
/// (File.ReadAllBytes), <c>bytes.Split</c> on '\n', skip the header, then per line
/// <c>strings.Fields(string(line))</c> (a new string, then one string per field), the inode looked
/// up in the map by its string, the status through the <c>tcpStatuses</c> map, and
/// <c>decodeAddress</c> for both ends (<c>strings.Split</c> on ':', the port parsed as hex,
/// <c>hex.DecodeString</c> of the address, bytes reversed per 32-bit word, <c>net.IP.String()</c>),
/// appended to a slice of <c>connTmp</c>.</item>
/// <item><c>statsFromInodesWithContext</c>: a duplicate check keyed by
/// <c>fmt.Sprintf("%d-%s:%d-%s:%d-%s", ...)</c> per connection, and (the <c>Connections</c>
/// variant, not <c>ConnectionsWithoutUids</c>) <c>/proc/PID/status</c> read and split per
/// connection for the owner's uids.</item>
/// <item>The scraper: a count per status over the returned slice.</item>
/// </list>
/// Differences that remain: C# substrings are copies where Go's share the line's memory, and the
/// two garbage collectors differ, so read its rows as the cost of the algorithm rather than of
/// the Go binary to the millisecond. <see cref="ParseOnly"/> is the /proc/net part alone (no fd
/// walk, no uids): the part every /proc-based collector pays.
/// </summary>
internal static class GopsutilConnections
{
    // gopsutil's tcpStatuses.
    private static readonly Dictionary<string, string> TcpStatuses = new(StringComparer.Ordinal)
    {
        ["01"] = "ESTABLISHED", ["02"] = "SYN_SENT", ["03"] = "SYN_RECV", ["04"] = "FIN_WAIT1",
        ["05"] = "FIN_WAIT2", ["06"] = "TIME_WAIT", ["07"] = "CLOSE", ["08"] = "CLOSE_WAIT",
        ["09"] = "LAST_ACK", ["0A"] = "LISTEN", ["0B"] = "CLOSING",
    };

    /// <summary>The /proc/net/tcp{,6} parse and duplicate check, with an empty inode map and no uids; returns the connections counted.</summary>
    public static long ParseOnly(string netProcRoot, DateTime deadline) =>
        Count(netProcRoot, "/proc", [], withUids: false, deadline);

    /// <summary>All of ConnectionsWithContext: the fd walk of every process, the parse, and the uids per connection.</summary>
    public static long WithProcesses(string netProcRoot, DateTime deadline) =>
        Count(netProcRoot, "/proc", ProcInodesAll("/proc", deadline), withUids: true, deadline);

    private static long Count(string netProcRoot, string hostProc, Dictionary<string, List<InodeMap>> inodes, bool withUids, DateTime deadline)
    {
        var connections = new List<ConnectionStat>();
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, family) in new[] { ("tcp", 2u), ("tcp6", 10u) })
        {
            foreach (var c in ProcessInet(Path.Combine(netProcRoot, "net", file), family, inodes, deadline))
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"{1}-{c.Laddr.Ip}:{c.Laddr.Port}-{c.Raddr.Ip}:{c.Raddr.Port}-{c.Status}");
                if (!duplicates.Add(key))
                {
                    continue;
                }

                var uids = withUids ? Uids(hostProc, c.Pid) : [];
                connections.Add(new ConnectionStat(c.Fd, c.Family, c.Laddr, c.Raddr, c.Status, c.Pid, uids));
                if ((connections.Count & 1023) == 0 && DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("gopsutil mirror: over its time cap");
                }
            }
        }

        // The scraper: connections per status.
        var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var connection in connections)
        {
            byStatus[connection.Status] = byStatus.GetValueOrDefault(connection.Status) + 1;
        }

        return byStatus.Values.Sum();
    }

    private static List<ConnTmp> ProcessInet(string file, uint family, Dictionary<string, List<InodeMap>> inodes, DateTime deadline)
    {
        if (file.EndsWith('6') && !File.Exists(file))
        {
            return [];
        }

        var contents = File.ReadAllBytes(file);
        var lines = SplitLines(contents);
        var result = new List<ConnTmp>();
        for (var i = 1; i < lines.Count; i++)
        {
            var l = Encoding.UTF8.GetString(contents.AsSpan(lines[i])).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (l.Length < 10)
            {
                continue;
            }

            var (laddr, raddr, status, inode) = (l[1], l[2], l[3], l[9]);
            int pid = 0;
            uint fd = 0;
            if (inodes.TryGetValue(inode, out var owners))
            {
                pid = owners[0].Pid;
                fd = owners[0].Fd;
            }

            status = TcpStatuses.GetValueOrDefault(status, "");
            if (!TryDecodeAddress(family, laddr, out var la) || !TryDecodeAddress(family, raddr, out var ra))
            {
                continue;
            }

            result.Add(new ConnTmp(fd, family, la, ra, status, pid));
            if ((i & 1023) == 0 && DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gopsutil mirror: over its time cap");
            }
        }

        return result;
    }

    // bytes.Split(contents, "\n"): one slice per line, the last one after the final newline included.
    private static List<Range> SplitLines(byte[] contents)
    {
        var lines = new List<Range>();
        var start = 0;
        for (var i = 0; i < contents.Length; i++)
        {
            if (contents[i] == (byte)'\n')
            {
                lines.Add(start..i);
                start = i + 1;
            }
        }

        lines.Add(start..contents.Length);
        return lines;
    }

    private static bool TryDecodeAddress(uint family, string source, out Addr address)
    {
        address = default;
        var t = source.Split(':');
        if (t.Length != 2 || !ushort.TryParse(t[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromHexString(t[0]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (family == 2)
        {
            Array.Reverse(decoded);
        }
        else
        {
            if (decoded.Length != 16)
            {
                return false;
            }

            // parseIPv6HexString: each 32-bit word reversed, into a new buffer.
            var buffer = new List<byte>(16);
            for (var i = 0; i < decoded.Length; i += 4)
            {
                Array.Reverse(decoded, i, 4);
                buffer.AddRange(decoded.AsSpan(i, 4));
            }

            decoded = [.. buffer];
        }

        address = new Addr(new IPAddress(decoded).ToString(), port);
        return true;
    }

    private static Dictionary<string, List<InodeMap>> ProcInodesAll(string root, DateTime deadline)
    {
        var result = new Dictionary<string, List<InodeMap>>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gopsutil mirror: over its time cap");
            }

            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries($"{root}/{pid}/fd").ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited, or not ours to read: skipped, as gopsutil does
            }

            foreach (var entry in entries)
            {
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    continue;
                }

                var inode = target[8..^1];
                if (!result.TryGetValue(inode, out var list))
                {
                    result[inode] = list = [];
                }

                if (uint.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
                {
                    list.Add(new InodeMap(pid, fd));
                }
            }
        }

        return result;
    }

    // process.fillFromStatus: read /proc/PID/status, split into lines, find "Uid:", parse its tab-separated values.
    private static int[] Uids(string root, int pid)
    {
        string contents;
        try
        {
            contents = Encoding.UTF8.GetString(File.ReadAllBytes($"{root}/{pid}/status"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // pid 0 (no owner, e.g. TIME_WAIT) or gone: gopsutil ignores the error
        }

        foreach (var line in contents.Split('\n'))
        {
            var tabParts = line.Split('\t', 2);
            if (tabParts.Length < 2 || tabParts[0].TrimEnd(':') != "Uid")
            {
                continue;
            }

            return [.. tabParts[1].Split('\t').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
        }

        return [];
    }

    private readonly record struct InodeMap(int Pid, uint Fd);

    private readonly record struct Addr(string Ip, uint Port);

    private readonly record struct ConnTmp(uint Fd, uint Family, Addr Laddr, Addr Raddr, string Status, int Pid);

    private readonly record struct ConnectionStat(uint Fd, uint Family, Addr Laddr, Addr Raddr, string Status, int Pid, int[] Uids);
}
