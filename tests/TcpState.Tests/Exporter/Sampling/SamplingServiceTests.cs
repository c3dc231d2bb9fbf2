using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Sampling;

public sealed class SamplingServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedSource _source = new();
    private readonly SnapshotStore _store = new();
    private readonly SamplerStatistics _statistics = new();
    private readonly CapturingLogger<SamplingService> _log = new();
    private readonly SamplingService _service;

    public SamplingServiceTests()
    {
        var options = Options("10s");
        _source.Sockets.Add(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.CloseWait, LocalPort = 80, RemotePort = 5000 });
        _service = new SamplingService(new SocketSampler(_source, [], 1000, _time), _store, _statistics, options, _time, _log);
    }

    [Fact]
    public async Task StartAsync_FirstSample_IsPublishedBeforeStartReturns()
    {
        await _service.StartAsync(CancellationToken.None);

        Assert.NotNull(_store.Latest);
        Assert.Equal(1, _statistics.Samples);
        Assert.True(_statistics.LastSucceeded);
    }

    [Fact]
    public async Task ExecuteAsync_IntervalElapses_TakesTheNextSample()
    {
        await _service.StartAsync(CancellationToken.None);
        // ExecuteAsync runs in the background: wait for its PeriodicTimer before moving time.
        await WaitUntil(() => _time.ActiveTimers == 1);

        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntil(() => _statistics.Samples == 2);
        _time.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(100);

        Assert.Equal(2, _statistics.Samples);
        Assert.Equal(FakeTimeProvider.Epoch.AddSeconds(10), _store.Latest!.Timestamp);
    }

    [Fact]
    public void SampleOnce_SourceFails_KeepsTheLastGoodSnapshotCountsAndLogsOnce()
    {
        _service.SampleOnce();
        var good = _store.Latest;
        _source.ThenFail("netlink_error").ThenFail("netlink_error").ThenFail("netlink_error");

        _service.SampleOnce();
        _service.SampleOnce();
        _service.SampleOnce();

        Assert.Same(good, _store.Latest);
        Assert.False(_statistics.LastSucceeded);
        Assert.Equal(3, _statistics.Errors.Single(e => e.Key == "netlink_error").Value);
        Assert.Equal(4, _statistics.Samples);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("netlink_error", _log.Entries.Single(e => e.Level == LogLevel.Error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleOnce_RecoversAfterFailures_LogsRecoveryAndPublishes()
    {
        _source.ThenFail("timeout");
        _service.SampleOnce();
        Assert.Null(_store.Latest);

        _service.SampleOnce();

        Assert.NotNull(_store.Latest);
        Assert.True(_statistics.LastSucceeded);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("recovered after 1 failed", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleOnce_ADifferentFailureReason_IsLoggedAgain()
    {
        _source.ThenFail("netlink_error").ThenFail("timeout");

        _service.SampleOnce();
        _service.SampleOnce();

        Assert.Equal(2, _log.Entries.Count(e => e.Level == LogLevel.Error));
    }

    [Fact]
    public async Task ExecuteAsync_SlowSample_WaitsTenTimesItsDurationFeedingProgressThenReturnsToTheInterval()
    {
        // The first sample takes 2 s of the fake clock: more than a tenth of 10 s.
        _source.Then(_ =>
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            return new DumpResult(false, 0);
        });
        await _service.StartAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(20), _statistics.SampleInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), _service.EffectiveInterval);

        // The 20 s from the sample's start are waited in steps of the configured 10 s, each
        // recording progress, so the systemd watchdog keeps being fed.
        await WaitUntil(() => _time.ActiveTimers == 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntil(() => _statistics.LastProgress == TimeSpan.FromSeconds(12).Ticks && _time.ActiveTimers == 1);
        _time.Advance(TimeSpan.FromSeconds(7));
        await Task.Delay(100);
        Assert.Equal(1, _statistics.Samples);

        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => _statistics.Samples == 2);
        await WaitUntil(() => _statistics.SampleInterval == TimeSpan.FromSeconds(10));
        Assert.Equal(FakeTimeProvider.Epoch.AddSeconds(20), _store.Latest!.Timestamp);

        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("took 2000 ms, more than a tenth of the 10s interval: sampling every 20s", warning.Message, StringComparison.Ordinal);
        Assert.Single(_log.Entries, e => e.Message.Contains("sampling every 10s as configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_SampleLongerThanTheInterval_NeverOverlapsNorPilesUp()
    {
        // Real clock: 100 ms interval, every dump 150 ms. A timer that kept its 100 ms beat
        // would queue or overlap samples; the loop must stretch the interval instead (to 1.5 s).
        var slowDump = TimeSpan.FromMilliseconds(150);
        using var source = new SlowSource(slowDump);
        var statistics = new SamplerStatistics();
        var log = new CapturingLogger<SamplingService>();
        using var service = new SamplingService(new SocketSampler(source, [], 1000, TimeProvider.System), new SnapshotStore(), statistics, Options("100ms"), TimeProvider.System, log);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await service.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await service.StopAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;

        Assert.Equal(1, source.MaxConcurrentDumps);
        Assert.True(source.Dumps >= 2, $"{source.Dumps} dumps in {elapsed}: the loop did not go on after the first");
        Assert.True(source.Dumps <= (elapsed / slowDump) + 1, $"{source.Dumps} dumps of {slowDump} in {elapsed}");
        Assert.True(statistics.SampleInterval >= slowDump * 10, $"effective interval {statistics.SampleInterval}");
        Assert.True(statistics.SampleInterval <= SamplingService.MaximumInterval);
        // Logged when the interval stretched, not for every slow sample.
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("more than a tenth of the 100ms interval", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_SamplesFastAgain_ReturnsToTheConfiguredInterval()
    {
        // Real clock: the first dump takes 150 ms (the interval stretches to 1.5 s), the rest are instant.
        using var source = new SlowSource(TimeSpan.FromMilliseconds(150)).SlowFor(1);
        var statistics = new SamplerStatistics();
        var log = new CapturingLogger<SamplingService>();
        using var service = new SamplingService(new SocketSampler(source, [], 1000, TimeProvider.System), new SnapshotStore(), statistics, Options("100ms"), TimeProvider.System, log);

        await service.StartAsync(CancellationToken.None);
        var stretched = statistics.SampleInterval;
        await WaitUntil(() => statistics.Samples >= 2);
        var restoredAt = statistics.Samples;
        await WaitUntil(() => statistics.Samples >= restoredAt + 3);
        // The line needs a sample under a twentieth of the interval (5 ms): these take microseconds.
        await WaitUntil(() => log.Entries.Any(e => e.Message.Contains("as configured", StringComparison.Ordinal)));
        await service.StopAsync(CancellationToken.None);

        Assert.True(stretched >= TimeSpan.FromMilliseconds(1500), $"stretched to {stretched}");
        Assert.Equal(TimeSpan.FromMilliseconds(100), statistics.SampleInterval);
        Assert.Equal(1, source.MaxConcurrentDumps);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Single(log.Entries, e => e.Message.Contains("sampling every 100ms as configured", StringComparison.Ordinal));
    }

    private static ExporterOptions Options(string interval) => ExporterOptions.Parse(
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Interval"] = interval })
            .Build(), out _)!;

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }

    public void Dispose() => _service.Dispose();
}
