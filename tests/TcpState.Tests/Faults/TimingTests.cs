using Microsoft.Extensions.Configuration;
using TcpState.Core;
using TcpState.Exporter;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Faults;

/// <summary>Clock jumps and staleness, driven by a clock the test moves.</summary>
public sealed class TimingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedSource _source = new();
    private readonly SnapshotStore _store = new();
    private readonly SamplerStatistics _statistics = new();
    private readonly SamplingService _service;
    private readonly StuckSocketTracker _tracker;

    public TimingTests()
    {
        var options = ExporterOptions.Parse(new ConfigurationBuilder().Build(), out _)!;
        _source.Sockets.Add(new SocketRecord { Family = AddressFamilies.Inet, State = (byte)KernelTcpState.CloseWait, LocalPort = 80, RemotePort = 5000, Cookie = 77 });
        _tracker = new StuckSocketTracker([StateLabel.CloseWait], TimeSpan.FromMinutes(5), _time);
        _service = new SamplingService(new SocketSampler(_source, [80], 1000, _time, tracker: _tracker), _store, _statistics, options, _time, new CapturingLogger<SamplingService>());
    }

    [Fact]
    public void Sample_WallClockJumpsBackAndForth_AgesFollowTheMonotonicClock()
    {
        _service.SampleOnce();
        _time.Advance(TimeSpan.FromMinutes(2));
        _time.JumpWallClock(TimeSpan.FromHours(-3));
        _service.SampleOnce();
        var afterBackwardJump = _store.Latest!.PortGroups.Single().OldestAge;
        _time.JumpWallClock(TimeSpan.FromDays(2));
        _time.Advance(TimeSpan.FromMinutes(1));
        _service.SampleOnce();

        Assert.Equal(TimeSpan.FromMinutes(2), afterBackwardJump);
        Assert.Equal(TimeSpan.FromMinutes(3), _store.Latest!.PortGroups.Single().OldestAge);
        Assert.Equal(TimeSpan.Zero, _store.Latest.Duration);
    }

    [Fact]
    public void Health_LastGoodSampleOlderThanThreeIntervals_Is503WithTheAge()
    {
        _service.SampleOnce();
        var fresh = Health.Check(_store.Latest, _statistics, TimeSpan.FromSeconds(10), _time.GetUtcNow() + TimeSpan.FromSeconds(29));
        var stale = Health.Check(_store.Latest, _statistics, TimeSpan.FromSeconds(10), _time.GetUtcNow() + TimeSpan.FromSeconds(31));

        Assert.Equal(200, StatusOf(fresh));
        Assert.Equal(503, StatusOf(stale));
    }

    [Fact]
    public void Health_IntervalStretchedBySlowSamples_JudgesFreshnessByTheIntervalInEffect()
    {
        _service.SampleOnce();
        _statistics.RecordInterval(TimeSpan.FromMinutes(1)); // what the sampler records after slow samples

        var fresh = Health.Check(_store.Latest, _statistics, TimeSpan.FromSeconds(10), _time.GetUtcNow() + TimeSpan.FromSeconds(100));
        var stale = Health.Check(_store.Latest, _statistics, TimeSpan.FromSeconds(10), _time.GetUtcNow() + TimeSpan.FromSeconds(181));

        Assert.Equal(200, StatusOf(fresh));
        Assert.Equal(503, StatusOf(stale));
    }

    private static int StatusOf(Microsoft.AspNetCore.Http.IResult result) =>
        result is Microsoft.AspNetCore.Http.IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;

    public void Dispose() => _service.Dispose();
}
