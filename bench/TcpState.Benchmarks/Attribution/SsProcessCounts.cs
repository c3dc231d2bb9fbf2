using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// The reference for attribution: how many sockets 'ss -tanp' shows in each process's
/// users:(("name",pid=N,fd=M),...) field. A socket held by several processes counts once for each.
/// </summary>
internal sealed partial class SsProcessCounts
{
    private SsProcessCounts(int sockets, Dictionary<(string Name, int Pid), int> counts)
    {
        Sockets = sockets;
        Counts = counts;
    }

    /// <summary>Socket lines in the output.</summary>
    public int Sockets { get; }

    /// <summary>Sockets per (process name, pid).</summary>
    public IReadOnlyDictionary<(string Name, int Pid), int> Counts { get; }

    /// <summary>Sockets per pid, for processes called <paramref name="name"/>.</summary>
    public Dictionary<int, int> ForName(string name) =>
        Counts.Where(c => c.Key.Name == name).ToDictionary(c => c.Key.Pid, c => c.Value);

    /// <summary>Parses 'ss -tanpH' output (a header line, if present, is skipped).</summary>
    public static SsProcessCounts Parse(string text)
    {
        var counts = new Dictionary<(string Name, int Pid), int>();
        var sockets = 0;
        var pids = new HashSet<(string Name, int Pid)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("State", StringComparison.Ordinal) && line.Contains("Recv-Q", StringComparison.Ordinal))
            {
                continue;
            }

            sockets++;
            var users = line.IndexOf("users:((", StringComparison.Ordinal);
            if (users < 0)
            {
                continue; // TIME_WAIT and orphaned sockets have no process
            }

            // One socket can list the same process under several fds (dup); it is still one socket for that process.
            pids.Clear();
            foreach (Match match in UserPattern().Matches(line, users))
            {
                pids.Add((match.Groups[1].Value, int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture)));
            }

            if (pids.Count == 0)
            {
                throw new FormatException($"cannot parse the users field of ss line '{line}'");
            }

            foreach (var pid in pids)
            {
                counts[pid] = counts.GetValueOrDefault(pid) + 1;
            }
        }

        return new SsProcessCounts(sockets, counts);
    }

    // ss escapes nothing in the name but it cannot contain '"' followed by ",pid=", so the lazy match is exact enough.
    [GeneratedRegex("""\("(.*?)",pid=(\d+),fd=\d+\)""", RegexOptions.CultureInvariant)]
    private static partial Regex UserPattern();
}
