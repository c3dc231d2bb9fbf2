using System.Diagnostics;
using System.Globalization;
using TcpState.Benchmarks.Attribution;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The sockets of one size of one mix, in a fresh network namespace: the series holder (a
/// SocketHolder), the pair-holder fleet, and for the TIME_WAIT mix the churn generator's TIME_WAIT sockets.
/// TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN, not tunable), so those sockets are made in bursts and
/// every timed run asks <see cref="Ensure"/> first: it runs only inside a window in which no
/// TIME_WAIT socket of the last burst can have expired, and otherwise waits for the burst to
/// expire and makes a new one. Dispose stops every process and deletes the namespace.
/// </summary>
internal sealed class SocketLoad : IDisposable
{
    /// <summary>A burst's sockets are all alive until its start plus this (60 s minus a margin).</summary>
    public static readonly TimeSpan TimeWaitWindow = TimeSpan.FromSeconds(55);

    private static readonly TimeSpan TimeWaitLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ChurnCap = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan HolderTimeout = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan SeriesReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly NativeTools _tools;
    private readonly SocketHolderProcess _series;
    private long _windowStart;
    private long _windowEnd;
    private long _lastBurstEnd;

    public SocketLoad(LoadPlan plan, NativeTools tools, CancellationToken cancellation)
    {
        Plan = plan;
        _tools = tools;
        Namespace = new NetworkNamespace();
        try
        {
            Progress($"namespace {Namespace.Name} (if this run is SIGKILLed: ip netns delete {Namespace.Name})");
            // No TIME_WAIT reuse (the default 2 reuses them on loopback), room for a million
            // TIME_WAIT sockets (the limit is per namespace), and what the ephemeral range is.
            Namespace.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
            Namespace.WriteSysctl("net.ipv4.tcp_max_tw_buckets", "4000000");
            PortRange = Namespace.ReadSysctl("net.ipv4.ip_local_port_range").Replace('\t', '-');
            Fleet = new PairHolderFleet(Namespace, tools.PairHolder, HolderTimeout);

            var clock = Stopwatch.StartNew();
            // First, while the table is small: a SocketHolder checks its sockets against the whole
            // /proc/net/tcp of the namespace.
            _series = SocketHolderProcess.Start(Namespace, SeriesReadyTimeout, [.. LoadPlan.SeriesHolderArguments(HolderTimeout)]);
            Fleet.StartAll(plan.Holders, cancellation);
            HoldersBuilt = clock.Elapsed;
            var held = Counts().InUse;
            if (held < plan.HeldSockets - plan.CloseWait - 10)
            {
                throw new InvalidOperationException($"the namespace has {held} hashed sockets, the holders were asked for {plan.HeldSockets} ({plan.CloseWait} of them orphaned FIN_WAIT2 counted as tw)");
            }

            Progress($"{plan.Holders.Count + 1} holders ready in {clock.Elapsed.TotalSeconds:0} s: {Counts()}");
            if (plan.TimeWait > 0)
            {
                Burst(cancellation);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public LoadPlan Plan { get; }

    public NetworkNamespace Namespace { get; }

    public PairHolderFleet Fleet { get; } = null!;

    /// <summary>A process that lives in the namespace as long as the load: /proc/PID/net/* shows the namespace's tables.</summary>
    public int AnchorPid => _series.Pid;

    /// <summary>net.ipv4.ip_local_port_range of the namespace, e.g. "32768-60999".</summary>
    public string PortRange { get; } = "";

    public TimeSpan HoldersBuilt { get; }

    /// <summary>Bursts of TIME_WAIT made, and the time the last one took.</summary>
    public int Bursts { get; private set; }

    public TimeSpan LastBurst { get; private set; }

    /// <summary>Time spent waiting for a burst to expire before the next.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>Timed runs that could not fit in a TIME_WAIT window (they saw TIME_WAIT sockets expire).</summary>
    public int Overran { get; private set; }

    public SocketCounts Counts() => SocketCounts.Read(AnchorPid);

    /// <summary>
    /// Returns when a run of <paramref name="needed"/> can complete on the full set of sockets:
    /// at once for the ESTABLISHED mix; for the TIME_WAIT mix, when the current burst's window
    /// has that much left, or after a new burst. A run longer than a whole window is started at
    /// the beginning of one and counted in <see cref="Overran"/>.
    /// </summary>
    public void Ensure(TimeSpan needed, CancellationToken cancellation)
    {
        if (Plan.TimeWait == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(now, _windowEnd) >= needed)
        {
            return;
        }

        if (Stopwatch.GetElapsedTime(_windowStart, _windowEnd) < needed && Stopwatch.GetElapsedTime(_windowStart, now) < TimeSpan.FromSeconds(1))
        {
            Overran++;
            return; // a fresh window, and still too short: run it now rather than never
        }

        Burst(cancellation);
        if (Stopwatch.GetElapsedTime(_windowStart, _windowEnd) < needed)
        {
            Overran++;
        }
    }

    public void Dispose()
    {
        Fleet?.Dispose();
        _series?.Dispose();
        Namespace.Dispose();
    }

    // Waits until the previous burst has expired (its last socket is 60 s after its end), then
    // makes the TIME_WAIT sockets anew in one bounded run of the generator.
    private void Burst(CancellationToken cancellation)
    {
        if (Bursts > 0)
        {
            var waited = Stopwatch.StartNew();
            var expiry = TimeWaitLifetime + TimeSpan.FromSeconds(2) - Stopwatch.GetElapsedTime(_lastBurstEnd);
            while (expiry > TimeSpan.Zero && Counts().TimeWait > Plan.TimeWait / 100)
            {
                cancellation.ThrowIfCancellationRequested();
                var step = expiry < TimeSpan.FromSeconds(1) ? expiry : TimeSpan.FromSeconds(1);
                Thread.Sleep(step);
                expiry -= step;
            }

            Waited += waited.Elapsed;
        }

        var missing = Plan.TimeWait - Counts().TimeWait;
        var start = Stopwatch.GetTimestamp();
        if (missing > 0)
        {
            var arguments = new[] { missing, LoadPlan.TimeWaitFirstPort, LoadPlan.TimeWaitPorts, LoadPlan.TimeWaitAddresses, 2, (long)ChurnCap.TotalSeconds }
                .Select(a => a.ToString(CultureInfo.InvariantCulture)).ToArray();
            var result = Namespace.Exec(ChurnCap + TimeSpan.FromSeconds(30), _tools.TimeWaitChurn, arguments);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"timewait-churn made too few connections: {result.StandardOutput} {result.StandardError}");
            }
        }

        _lastBurstEnd = Stopwatch.GetTimestamp();
        _windowStart = _lastBurstEnd;
        _windowEnd = start + (long)(TimeWaitWindow.TotalSeconds * Stopwatch.Frequency);
        LastBurst = Stopwatch.GetElapsedTime(start, _lastBurstEnd);
        Bursts++;
        var counts = Counts();
        if (counts.TimeWait < Plan.TimeWait * 0.97)
        {
            throw new InvalidOperationException($"after the burst the namespace holds {counts.TimeWait} TIME_WAIT sockets, {Plan.TimeWait} were asked for");
        }

        Progress($"TIME_WAIT burst {Bursts}: {missing} connections in {LastBurst.TotalSeconds:0.0} s; {counts}");
    }

    private static void Progress(string message) =>
        Console.Error.WriteLine($"# {DateTime.Now:HH:mm:ss} {message}");
}
