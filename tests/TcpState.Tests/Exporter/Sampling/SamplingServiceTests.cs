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
        var options = ExporterOptions.Parse(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), out _)!;
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

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }

    public void Dispose() => _service.Dispose();
}
