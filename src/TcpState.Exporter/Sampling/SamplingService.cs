using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;

namespace TcpState.Exporter.Sampling;

/// <summary>
/// Samples the socket table every <c>--sample.interval</c> and publishes each good snapshot. The
/// first sample runs during start-up, before the HTTP server listens, so /metrics never reports an
/// empty table. Samples never overlap: one loop takes them one after another, each due an interval
/// after the previous one started, so a slow sample is never followed by a burst of catch-up
/// samples. When a sample takes more than a tenth of the interval, the next waits ten times its
/// duration instead (at most <see cref="MaximumInterval"/>). Separately, the CPU time samples cost
/// is held within <c>--sample.max-cpu-percent</c> of one core: the interval stretches to the
/// sustained CPU cost of a sample divided by nine tenths of that budget (the rest is for serving
/// scrapes, see <see cref="SamplingShareOfBudget"/>). A sample's cost is the whole process's
/// CPU time while it runs: the dump and aggregation on the sampling thread, and what the runtime
/// does because of them on its own threads (garbage collections, the JIT compiling the methods
/// the sample made hot). The longer of the two rules wins; the configured interval returns once
/// samples are fast and cheap again.
/// </summary>
public sealed class SamplingService : BackgroundService
{
    /// <summary>The longest the interval stretches to after slow samples.</summary>
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromMinutes(5);

    // A sample slower than interval / SlowFraction stretches the interval to SlowFraction times its duration.
    private const int SlowFraction = 10;

    // The CPU cost the budget is held to is the median of the last few samples' (the lower of two
    // while only two are known; none from one): a single costly sample (the cold first attribution
    // walk, a full GC) stretches nothing, while a median, unlike the minimum, is not biased low
    // when costs vary from sample to sample.
    private const int CpuHistory = 3;

    // Samples are held to nine tenths of --sample.max-cpu-percent, so that the daemon as a whole
    // stays within it: the last tenth is for what it does between samples (answering scrapes,
    // timers) and for costs that rise faster than the median of the last three follows. Held to
    // the whole budget, the daemon measured 2.01 % of a core at 1M sockets with the default 2.
    private const double SamplingShareOfBudget = 0.9;

    private readonly SocketSampler _sampler;
    private readonly SnapshotStore _store;
    private readonly SamplerStatistics _statistics;
    private readonly ExporterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SamplingService> _logger;
    private readonly Kernel.Proc.ProcessSocketMap? _owners;
    private readonly Func<TimeSpan?> _cpuClock;
    private string? _failingReason;
    private int _failures;
    private bool _warnedUnreadable;
    private long _lastSampleStart;
    private TimeSpan _interval;
    private bool _slow;
    private readonly double _cpuBudget;
    private readonly TimeSpan[] _recentCpu = new TimeSpan[CpuHistory]; // a ring: the last CpuHistory costs
    private int _recentCpuCount;
    private int _recentCpuNext;
    private bool _overBudget;

    /// <param name="cpuClock">
    /// What a sample's CPU cost is read from, before and after it: <see cref="Kernel.CpuClock.Process"/>
    /// (the default) in the daemon; tests that run beside others in one process pass
    /// <see cref="Kernel.CpuClock.Thread"/>, which sees the sampling thread alone.
    /// </param>
    public SamplingService(SocketSampler sampler, SnapshotStore store, SamplerStatistics statistics, ExporterOptions options, TimeProvider time, ILogger<SamplingService> logger, Kernel.Proc.ProcessSocketMap? owners = null, Func<TimeSpan?>? cpuClock = null)
    {
        _owners = owners;
        _cpuClock = cpuClock ?? Kernel.CpuClock.Process;
        _sampler = sampler;
        _store = store;
        _statistics = statistics;
        _options = options;
        _time = time;
        _logger = logger;
        _interval = options.SampleInterval;
        _cpuBudget = options.SampleMaxCpuPercent / 100;
        _statistics.RecordInterval(_interval);
    }

    /// <summary>The interval in effect: the configured one, or longer after slow samples or samples over the CPU budget.</summary>
    public TimeSpan EffectiveInterval => _interval;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Log.SamplingStarted(_logger, PrometheusDuration.Format(_options.SampleInterval), _sampler.Source.Name);
        // The host view only: other namespaces (--netns.enabled) can take long to dump and attribute
        // the first time, and must not hold back start-up; they join from the next sample.
        SampleOnce(withNamespaces: false);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForNextSampleAsync(stoppingToken).ConfigureAwait(false);
                SampleOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    // Waits until the effective interval has passed since the previous sample started (not at all
    // if that sample took longer). A stretched wait is cut into steps of the configured interval,
    // each recording progress: the systemd watchdog and the stall check see a loop that is
    // waiting on purpose, not one stuck in a sample.
    private async Task WaitForNextSampleAsync(CancellationToken stoppingToken)
    {
        var interval = _interval;
        // Bounded: every step waits at least what it subtracts from the remaining time.
        for (var remaining = interval - _time.GetElapsedTime(_lastSampleStart); remaining > TimeSpan.Zero;
             remaining = interval - _time.GetElapsedTime(_lastSampleStart))
        {
            await Task.Delay(remaining < _options.SampleInterval ? remaining : _options.SampleInterval, _time, stoppingToken).ConfigureAwait(false);
            _statistics.RecordProgress(_time.GetTimestamp());
        }
    }

    /// <summary>Takes one sample; a failure is counted and logged, never thrown.</summary>
    /// <param name="withNamespaces">Whether the other network namespaces are sampled too (when enabled).</param>
    public void SampleOnce(bool withNamespaces = true)
    {
        // The process's CPU time, not this thread's: the sample runs on this thread start to end
        // (the kernel's work in the dump included), but the runtime works for it on threads of
        // its own: the server GC's (see the project file) and the JIT's, which compiles the
        // methods a sample made hot: in the first minute at 100,000 sockets, a third more than the
        // sampling thread's own (perf). Whatever else the process does meanwhile (a
        // scrape that collects during the sample) counts too: a few milliseconds at most, now and
        // then, which the median of the last costs (see CpuHistory) leaves out.
        var cpuStart = _cpuClock();
        _lastSampleStart = _time.GetTimestamp();
        _statistics.RecordProgress(_lastSampleStart);
        try
        {
            var snapshot = _sampler.Sample(withNamespaces);
            _store.Publish(snapshot);
            _statistics.RecordSuccess(snapshot);
            if (_failingReason is not null)
            {
                Log.SamplingRecovered(_logger, _failures);
                _failingReason = null;
                _failures = 0;
            }

            if (snapshot.MalformedRecords > 0)
            {
                Log.MalformedRecords(_logger, snapshot.MalformedRecords, snapshot.Source);
            }

            if (!_warnedUnreadable && snapshot.UnattributedSockets > 0 && _owners is { UnreadableProcesses: > 0, AnUnreadableProcess: { } example })
            {
                // Once: the cause does not change while the exporter runs.
                _warnedUnreadable = true;
                var capabilities = Kernel.Proc.ProcessCapabilities.OfThisProcess();
                var missing = capabilities.Missing.Count > 0 ? string.Join(" and ", capabilities.Missing) : "no capability (an LSM or hidepid denies access)";
                Log.CannotAttribute(_logger, _owners.UnreadableProcesses, example.Pid, example.Name, capabilities.Uid, missing, snapshot.UnattributedSockets);
            }
        }
        catch (Exception e) when (e is SocketTableException or IOException or UnauthorizedAccessException)
        {
            var reason = e is SocketTableException table ? table.Reason : "internal";
            _statistics.RecordFailure(reason);
            _failures++;
            if (_failingReason != reason)
            {
                var lastGood = _store.Latest?.Timestamp.ToString("u", CultureInfo.InvariantCulture) ?? "never (no sample has succeeded yet)";
                Log.SampleFailed(_logger, reason, e.Message, lastGood);
                _failingReason = reason;
            }
            else
            {
                Log.SampleFailedAgain(_logger, reason, e.Message);
            }
        }
        finally
        {
            var end = _time.GetTimestamp();
            var cpu = _cpuClock() - cpuStart;
            _statistics.RecordProgress(end);
            AdaptInterval(_time.GetElapsedTime(_lastSampleStart, end), cpu);
        }
    }

    // Failed samples count too: a dump that times out is as slow as one that completes, and costs
    // its CPU all the same. The longer of the two rules' intervals wins, at most MaximumInterval
    // (or the configured interval if that is longer).
    private void AdaptInterval(TimeSpan duration, TimeSpan? cpu)
    {
        var configured = _options.SampleInterval;
        var slowRule = SlowSampleInterval(duration, configured);
        var budgetRule = CpuBudgetInterval(cpu, configured);
        var next = TimeSpan.FromTicks(Math.Min(Math.Max(slowRule.Ticks, budgetRule.Ticks), Math.Max(configured.Ticks, MaximumInterval.Ticks)));
        if (!_slow && slowRule > configured)
        {
            _slow = true;
            Log.SlowSample(_logger, (long)duration.TotalMilliseconds, PrometheusDuration.Format(configured), PrometheusDuration.Format(next));
        }
        else if (_slow && duration < configured / (2 * SlowFraction))
        {
            _slow = false;
            if (next == configured)
            {
                Log.IntervalRestored(_logger, (long)duration.TotalMilliseconds, PrometheusDuration.Format(configured));
            }
            else
            {
                Log.IntervalRestoredButOverCpuBudget(_logger, (long)duration.TotalMilliseconds, PrometheusDuration.Format(configured), PrometheusDuration.Format(next));
            }
        }

        if (_overBudget != (budgetRule > configured) && _recentCpuCount > 0)
        {
            var sustained = SustainedCpu();
            // Hysteresis, as for slow samples: over budget from the first sustained cost above it
            // until one under half of it, so costs hovering at the budget do not log a line each.
            if (!_overBudget)
            {
                _overBudget = true;
                Log.OverCpuBudget(_logger, (long)sustained.TotalMilliseconds, FormatPercent(SamplingShareOfBudget), FormatPercent(), PrometheusDuration.Format(configured), PrometheusDuration.Format(next));
            }
            else if (sustained < configured * (_cpuBudget / 2))
            {
                _overBudget = false;
                Log.CpuBudgetRestored(_logger, (long)sustained.TotalMilliseconds, FormatPercent(), PrometheusDuration.Format(configured), PrometheusDuration.Format(next));
            }
        }

        _interval = next;
        _statistics.RecordInterval(next);
    }

    // The log has hysteresis: samples are "slow" from the first one above a tenth of the interval
    // until one takes less than a twentieth, so samples hovering around a tenth (where the
    // stretched interval barely differs from the configured one) do not log a line each.
    private static TimeSpan SlowSampleInterval(TimeSpan duration, TimeSpan configured) =>
        duration > configured / SlowFraction ? TimeSpan.FromTicks(Math.Max(configured.Ticks, duration.Ticks * SlowFraction)) : configured;

    // Sampling every sustained-cost / (budget * SamplingShareOfBudget) spends nine tenths of the
    // budget: 0.5 s of CPU a sample at 2 % is one sample every 27.8 s. Rounded up to 100 ms, the
    // finest interval that can be configured.
    private TimeSpan CpuBudgetInterval(TimeSpan? cpu, TimeSpan configured)
    {
        if (_cpuBudget <= 0 || cpu is not { } cost)
        {
            return configured;
        }

        _recentCpu[_recentCpuNext] = cost;
        _recentCpuNext = (_recentCpuNext + 1) % CpuHistory;
        _recentCpuCount = Math.Min(_recentCpuCount + 1, CpuHistory);
        if (_recentCpuCount < 2)
        {
            return configured;
        }

        var step = TimeSpan.FromMilliseconds(100).Ticks;
        var needed = (long)Math.Ceiling(SustainedCpu().Ticks / (_cpuBudget * SamplingShareOfBudget) / step) * step;
        return needed > configured.Ticks ? TimeSpan.FromTicks(needed) : configured;
    }

    // The lower of two, the median of three (the order in the ring does not matter).
    private TimeSpan SustainedCpu()
    {
        var (a, b) = (_recentCpu[0], _recentCpu[1]);
        var (low, high) = a < b ? (a, b) : (b, a);
        return _recentCpuCount switch
        {
            1 => a,
            2 => low,
            _ => _recentCpu[2] < low ? low : _recentCpu[2] > high ? high : _recentCpu[2],
        };
    }

    private string FormatPercent(double share = 1) => (_cpuBudget * share * 100).ToString("0.###", CultureInfo.InvariantCulture);
}
