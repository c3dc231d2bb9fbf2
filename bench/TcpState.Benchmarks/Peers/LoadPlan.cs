using System.Globalization;
using TcpState.Benchmarks.Attribution;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The sockets one size of one mix is made of. Every size has the same "series" holder (a few
/// hundred ports with one ESTABLISHED pair each), so the exporter serves about 2,000 series
/// whatever the socket count, and the scrape benchmarks compare like with like.
/// </summary>
/// <param name="Mix">The mix.</param>
/// <param name="Size">Sockets asked for, all of them together.</param>
/// <param name="Holders">The load's pair-holder processes (ESTABLISHED and CLOSE_WAIT pairs).</param>
/// <param name="TimeWait">Client-side TIME_WAIT sockets made by the churn generator.</param>
internal sealed record LoadPlan(LoadMix Mix, int Size, IReadOnlyList<HolderPlan> Holders, int TimeWait)
{
    /// <summary>Ports of the series holder, one listener and one ESTABLISHED pair on each.</summary>
    public const int SeriesPorts = 360;

    /// <summary>Below the holders' ports (20000+) and the ephemeral range (32768-60999).</summary>
    public const int FirstSeriesPort = 10_000;

    /// <summary>Sockets of the series holder in 'ss -tan': a listener and both ends of a pair per port.</summary>
    public const int SeriesSockets = 3 * SeriesPorts;

    /// <summary>Destinations of the TIME_WAIT churn: 127.0.0.2-127.0.0.17 x ports 30000-30007.</summary>
    public const int TimeWaitFirstPort = 30_000;

    public const int TimeWaitPorts = 8;

    public const int TimeWaitAddresses = 16;

    /// <summary>Share of the sockets in TIME_WAIT in the TIME_WAIT-heavy mix.</summary>
    public const double TimeWaitShare = 0.8;

    // "A few thousand CLOSE_WAIT across several processes", and no more than 2% of a small size.
    private const int MaxCloseWaitPairs = 3_000;
    private const int MinCloseWaitPairs = 100;

    /// <summary>Held sockets in all, the series holder's included.</summary>
    public int HeldSockets => SeriesSockets + Holders.Sum(h => h.Sockets);

    /// <summary>CLOSE_WAIT sockets (one per pair).</summary>
    public int CloseWait => Holders.Sum(h => h.CloseWaitPairs);

    /// <summary>The TIME_WAIT churn's destinations: each holds TimeWait / Destinations sockets of the ephemeral range.</summary>
    public static int TimeWaitDestinations => TimeWaitPorts * TimeWaitAddresses;

    public static LoadPlan For(LoadMix mix, int size)
    {
        var timeWait = mix == LoadMix.TimeWait ? (int)(size * TimeWaitShare) : 0;
        var held = size - SeriesSockets - timeWait;
        var closeWaitPairs = Math.Clamp(size / 50, MinCloseWaitPairs, MaxCloseWaitPairs);
        return new LoadPlan(mix, size, HolderPlan.Split(held, closeWaitPairs, HolderPlan.MinHolders, PairHolderFleet.MaxHeldSocketsPerHolder), timeWait);
    }

    /// <summary>The series holder's command line: '--established PORT:1' for each of its ports.</summary>
    public static IReadOnlyList<string> SeriesHolderArguments(TimeSpan timeout)
    {
        var arguments = new List<string> { "--timeout", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) };
        for (var port = FirstSeriesPort; port < FirstSeriesPort + SeriesPorts; port++)
        {
            arguments.Add("--established");
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{port}:1"));
        }

        return arguments;
    }

    /// <summary>
    /// A rough upper bound of the memory the load needs, to refuse a size the machine cannot
    /// hold instead of letting the OOM killer decide: the kernel needs ~3 KB per full socket
    /// (tcp_sock, file, inode, dentry) and ~0.3 KB per TIME_WAIT socket; the pair holders a few
    /// MB each, the series SocketHolder ~100 MB.
    /// </summary>
    public long EstimatedBytes => (100L * 1024 * 1024) + (Holders.Count * 4L * 1024 * 1024) + (HeldSockets * 3L * 1024) + (TimeWait * 320L);

    public string Describe() => Mix == LoadMix.Established
        ? $"{Holders.Count} pair-holder processes ({CloseWait} CLOSE_WAIT pairs among them) + the series SocketHolder"
        : $"{TimeWait} client TIME_WAIT over {TimeWaitDestinations} destinations + {Holders.Count} pair-holder processes ({CloseWait} CLOSE_WAIT pairs) + the series SocketHolder";
}
