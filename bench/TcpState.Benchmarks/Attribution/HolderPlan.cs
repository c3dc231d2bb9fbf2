using System.Globalization;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// What one SocketHolder builds: ESTABLISHED pairs and CLOSE_WAIT pairs, all on its own port, so
/// every socket of the namespace belongs to exactly one holder and the holders never share a port.
/// </summary>
/// <param name="Port">The holder's listening port; its clients connect there from ephemeral ports.</param>
/// <param name="EstablishedPairs">Client/server pairs with both ends open: 2 sockets, 2 fds each.</param>
/// <param name="CloseWaitPairs">Pairs whose client was closed: a held CLOSE_WAIT server socket and an orphaned FIN_WAIT2 client (no fd).</param>
internal sealed record HolderPlan(int Port, int EstablishedPairs, int CloseWaitPairs)
{
    /// <summary>
    /// Held sockets per holder. These machines cap open files at 20,000 per process; 12,000 fds
    /// leaves room for the runtime's own fds and for a holder that is slow to close.
    /// </summary>
    public const int MaxHeldSocketsPerHolder = 11_900;

    /// <summary>"Several processes": even the smallest size is spread over this many holders.</summary>
    public const int MinHolders = 4;

    /// <summary>A few hundred CLOSE_WAIT pairs per size, so the mix is not ESTABLISHED only.</summary>
    public const int CloseWaitPairsPerSize = 300;

    /// <summary>Below the ephemeral range (32768-60999), so no client can be handed a holder's port.</summary>
    public const int FirstPort = 20_000;

    // SocketHolder accepts at most 1000 per option; the option is repeated for more.
    private const int MaxPerOption = 1000;

    /// <summary>Sockets this holder adds to 'ss -tan': listener, both ends of each pair.</summary>
    public int Sockets => 1 + (2 * EstablishedPairs) + (2 * CloseWaitPairs);

    /// <summary>Sockets the holder has an fd for, i.e. the ones 'ss -tanp' shows with its users:(...).</summary>
    public int HeldSockets => 1 + (2 * EstablishedPairs) + CloseWaitPairs;

    /// <summary>The SocketHolder command line.</summary>
    /// <param name="timeout">The holder's own deadline: it exits by itself if the benchmark dies without closing its stdin.</param>
    public IReadOnlyList<string> Arguments(TimeSpan timeout)
    {
        var arguments = new List<string> { "--timeout", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) };
        AddRepeated(arguments, "--established", Port, EstablishedPairs);
        AddRepeated(arguments, "--close-wait", Port, CloseWaitPairs);
        return arguments;
    }

    /// <summary>A holder like this one on another port: the replacement in the churn step.</summary>
    public HolderPlan OnPort(int port) => this with { Port = port };

    /// <summary>
    /// Splits <paramref name="totalSockets"/> over as few holders as the fd cap allows (at least
    /// <see cref="MinHolders"/>), on ports FirstPort, FirstPort+1, ...; the sum of
    /// <see cref="Sockets"/> is the total, or one less when the total's parity does not fit.
    /// </summary>
    public static IReadOnlyList<HolderPlan> ForSize(int totalSockets) =>
        Split(totalSockets, Math.Min(CloseWaitPairsPerSize, totalSockets / 20), MinHolders, MaxHeldSocketsPerHolder);

    /// <summary>
    /// Splits <paramref name="totalSockets"/> into holders of at most
    /// <paramref name="maxHeldPerHolder"/> fds (at least <paramref name="minHolders"/> of them),
    /// with <paramref name="closeWaitPairs"/> CLOSE_WAIT pairs spread evenly over them.
    /// </summary>
    public static IReadOnlyList<HolderPlan> Split(int totalSockets, int closeWaitPairs, int minHolders, int maxHeldPerHolder)
    {
        var closeWait = closeWaitPairs;
        var holders = Math.Max(minHolders, (totalSockets + maxHeldPerHolder - 1) / maxHeldPerHolder);
        var establishedTotal = (totalSockets - holders - (2 * closeWait)) / 2;
        if (establishedTotal < holders)
        {
            throw new UsageException($"{totalSockets} sockets are too few to spread over {holders} holders");
        }

        var plans = new List<HolderPlan>(holders);
        for (var i = 0; i < holders; i++)
        {
            plans.Add(new HolderPlan(FirstPort + i, Share(establishedTotal, holders, i), Share(closeWait, holders, i)));
        }

        return plans;
    }

    // The i-th of n near-equal parts of total; the first (total % n) parts get one more.
    private static int Share(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    private static void AddRepeated(List<string> arguments, string option, int port, int count)
    {
        for (var left = count; left > 0; left -= MaxPerOption)
        {
            arguments.Add(option);
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{port}:{Math.Min(left, MaxPerOption)}"));
        }
    }
}
