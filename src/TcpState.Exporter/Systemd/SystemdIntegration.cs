using System.Globalization;
using Microsoft.Extensions.Hosting;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter.Systemd;

/// <summary>
/// Tells systemd how the daemon is doing: READY=1 once the HTTP server listens and a sample has
/// succeeded, STATUS= after each sample, WATCHDOG=1 while the sampling loop makes progress (so a
/// stalled sampler gets the service restarted), STOPPING=1 on shutdown.
/// </summary>
public sealed class SystemdIntegration : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly SnapshotStore _store;
    private readonly SamplerStatistics _statistics;
    private readonly ExporterOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _watchdog;

    public SystemdIntegration(ISystemdNotifier notifier, SnapshotStore store, SamplerStatistics statistics, ExporterOptions options,
        IHostApplicationLifetime lifetime, TimeProvider time, TimeSpan? watchdog)
    {
        _notifier = notifier;
        _store = store;
        _statistics = statistics;
        _options = options;
        _lifetime = lifetime;
        _time = time;
        _watchdog = watchdog;
    }

    /// <summary>How long the sampling loop may go without starting or finishing a sample before the watchdog stops being fed.</summary>
    public TimeSpan StallAfter => (_options.SampleInterval * 2) + TimeSpan.FromSeconds(5);

    /// <summary>One line for STATUS= and the log.</summary>
    public static string Status(SocketSnapshot snapshot, bool lastSucceeded) => string.Create(CultureInfo.InvariantCulture,
        $"{(lastSucceeded ? "" : "last sample failed; ")}{snapshot.TotalSockets} sockets, {snapshot.StateCounts[StateLabel.CloseWait]} close_wait ({Stuck(snapshot)} stuck), {snapshot.StateCounts[StateLabel.TimeWait]} time_wait; sampled in {snapshot.Duration.TotalMilliseconds:0} ms from {snapshot.Source}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_notifier.IsEnabled) return;
        using var stopping = _lifetime.ApplicationStopping.Register(() => _notifier.Notify("STOPPING=1"));
        await WaitForStartedAsync(stoppingToken).ConfigureAwait(false);

        // Ping at half the watchdog timeout, as sd_watchdog_enabled(3) recommends; poll often
        // enough to report each sample promptly.
        var period = _watchdog is { } watchdog ? TimeSpan.FromTicks(Math.Min(watchdog.Ticks / 2, TimeSpan.FromSeconds(1).Ticks)) : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(period, _time);
        var ready = false;
        SocketSnapshot? reported = null;
        try
        {
            do
            {
                var latest = _store.Latest;
                var messages = new List<string>(3);
                if (!ready && latest is not null)
                {
                    ready = true;
                    messages.Add("READY=1");
                }

                if (latest is not null && !ReferenceEquals(latest, reported))
                {
                    reported = latest;
                    messages.Add("STATUS=" + Status(latest, _statistics.LastSucceeded));
                }

                if (_watchdog is not null && _time.GetElapsedTime(_statistics.LastProgress) < StallAfter)
                {
                    messages.Add("WATCHDOG=1");
                }

                if (messages.Count > 0) _notifier.Notify(string.Join('\n', messages));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task WaitForStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    private static long Stuck(SocketSnapshot snapshot)
    {
        long stuck = 0;
        foreach (var group in snapshot.PortGroups)
        {
            if (group.StateIndex == StateLabel.CloseWait) stuck += group.Stuck;
        }

        return stuck;
    }
}
