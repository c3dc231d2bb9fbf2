using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;

namespace TcpState.Exporter.Sampling;

/// <summary>
/// Samples the socket table on a fixed interval and publishes each good snapshot. The first
/// sample runs during start-up, before the HTTP server listens, so /metrics never reports an
/// empty table. Samples never overlap: one loop takes them one after another.
/// </summary>
public sealed class SamplingService : BackgroundService
{
    private readonly SocketSampler _sampler;
    private readonly SnapshotStore _store;
    private readonly SamplerStatistics _statistics;
    private readonly ExporterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SamplingService> _logger;
    private readonly Kernel.Proc.ProcessSocketMap? _owners;
    private string? _failingReason;
    private int _failures;
    private bool _warnedUnreadable;

    public SamplingService(SocketSampler sampler, SnapshotStore store, SamplerStatistics statistics, ExporterOptions options, TimeProvider time, ILogger<SamplingService> logger, Kernel.Proc.ProcessSocketMap? owners = null)
    {
        _owners = owners;
        _sampler = sampler;
        _store = store;
        _statistics = statistics;
        _options = options;
        _time = time;
        _logger = logger;
    }

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
        using var timer = new PeriodicTimer(_options.SampleInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SampleOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>Takes one sample; a failure is counted and logged, never thrown.</summary>
    /// <param name="withNamespaces">Whether the other network namespaces are sampled too (when enabled).</param>
    public void SampleOnce(bool withNamespaces = true)
    {
        _statistics.RecordProgress(_time.GetTimestamp());
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

            if (snapshot.Duration > _options.SampleInterval / 10)
            {
                Log.SlowSample(_logger, (long)snapshot.Duration.TotalMilliseconds, PrometheusDuration.Format(_options.SampleInterval));
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
            _statistics.RecordProgress(_time.GetTimestamp());
        }
    }
}
