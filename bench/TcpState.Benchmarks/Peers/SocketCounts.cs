using System.Globalization;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The namespace's socket totals from /proc/PID/net/sockstat (per network namespace; O(1) to
/// read): 'inuse' is every hashed TCP socket (LISTEN, ESTABLISHED, CLOSE_WAIT, orphans...), 'tw'
/// the TIME_WAIT ones. Read before every timed run, so the table can say what it ran on.
/// </summary>
internal readonly record struct SocketCounts(long InUse, long TimeWait)
{
    public long Total => InUse + TimeWait;

    public static SocketCounts Read(int pidInNamespace)
    {
        foreach (var line in File.ReadLines($"/proc/{pidInNamespace}/net/sockstat"))
        {
            if (line.StartsWith("TCP:", StringComparison.Ordinal))
            {
                var fields = NativeTools.Fields(line[4..]);
                return new SocketCounts(
                    long.Parse(fields["inuse"], CultureInfo.InvariantCulture),
                    long.Parse(fields["tw"], CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"/proc/{pidInNamespace}/net/sockstat has no TCP line");
    }
}
