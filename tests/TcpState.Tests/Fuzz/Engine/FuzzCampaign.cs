using System.Diagnostics;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Runs fuzz cases one after another, case i from <c>FuzzRandom.CaseSeed(seed, i)</c>, and stops at
/// the first that breaks a property, lets an exception escape, or outlives
/// <see cref="FuzzSettings.CaseTimeout"/>. Exposition texts are batched through promtool.
/// </summary>
public sealed class FuzzCampaign : IDisposable
{
    // Shares of the three targets; the parsers are cheap, the exposition cases carry promtool.
    private const int NetlinkShare = 40;
    private const int ProcShare = 40;
    private const int ExpositionShare = 20;

    private readonly FuzzSettings _settings;
    private readonly NetlinkFuzzer _netlink;
    private readonly ProcFuzzer _proc;
    private readonly ExpositionFuzzer _exposition = new();
    private readonly PromtoolBatch? _promtool;
    private readonly Stopwatch _clock = new();
    private long _currentCase = -1;
    private long _caseStarted;
    private int _currentTarget;

    public FuzzCampaign(FuzzSettings settings, FuzzInputs inputs)
    {
        _settings = settings;
        _netlink = new NetlinkFuzzer(inputs.NetlinkCaptures);
        _proc = new ProcFuzzer(inputs.ProcTcp, inputs.ProcTcp6);
        _promtool = settings.Promtool ? new PromtoolBatch(settings.PromtoolCasesPerRun, TimeSpan.FromMinutes(2)) : null;
    }

    /// <summary>
    /// Runs the campaign on a background thread and returns its report; a case that hangs past the
    /// case timeout ends the wait with a failure naming it (its thread is left behind, blocked).
    /// </summary>
    public static FuzzReport RunBounded(FuzzSettings settings, FuzzInputs inputs)
    {
        var campaign = new FuzzCampaign(settings, inputs);
        FuzzReport? report = null;
        Exception? crash = null;
        var worker = new Thread(() =>
        {
            try
            {
                report = campaign.Run();
            }
            catch (Exception e)
            {
                crash = e;
            }
        })
        {
            IsBackground = true,
            Name = "fuzz campaign",
        };
        worker.Start();
        while (!worker.Join(100))
        {
            if (campaign.HungCase() is { } hang)
            {
                return hang;
            }
        }

        campaign.Dispose();
        if (crash is not null)
        {
            throw new InvalidOperationException("the fuzz campaign itself failed", crash);
        }

        return report!;
    }

    public FuzzReport Run()
    {
        var report = new FuzzReport { Seed = _settings.Seed };
        _clock.Restart();
        var lastProgress = TimeSpan.Zero;
        for (var index = _settings.FirstCase; report.Cases < _settings.Cases; index++)
        {
            var rng = new FuzzRandom(FuzzRandom.CaseSeed(_settings.Seed, index));
            var target = TargetOf(rng);
            if ((target & _settings.Targets) == 0)
            {
                continue;
            }

            if (index % 1024 == 0 && _settings.Cancellation.IsCancellationRequested)
            {
                break;
            }

            report.Cases++;
            var failure = RunCase(index, target, rng, report);
            if (_settings.Cases == 1)
            {
                report.ReplayedInput = DescribeOf(target);
            }

            if (failure is null && index % 1024 == 0 && _clock.Elapsed - lastProgress >= _settings.ProgressInterval)
            {
                lastProgress = _clock.Elapsed;
                Fill(report);
                _settings.Progress?.Invoke(report);
            }

            if (failure is not null)
            {
                report.Add(failure);
                if (!_settings.KeepGoing)
                {
                    break;
                }
            }
        }

        Volatile.Write(ref _currentCase, -1);
        if ((_settings.KeepGoing || report.Failure is null) && _promtool?.Finish() is { } verdict)
        {
            report.Add(PromtoolFailure(verdict));
        }

        Fill(report);
        return report;
    }

    public void Dispose()
    {
        _proc.Dispose();
        _promtool?.Dispose();
    }

    // The target follows from the case's own stream, so a case is the same whatever targets a run selects.
    private static FuzzTarget TargetOf(FuzzRandom rng)
    {
        var roll = rng.Below(NetlinkShare + ProcShare + ExpositionShare);
        return roll < NetlinkShare ? FuzzTarget.Netlink : roll < NetlinkShare + ProcShare ? FuzzTarget.Proc : FuzzTarget.Exposition;
    }

    private FuzzFailure? RunCase(long index, FuzzTarget target, FuzzRandom rng, FuzzReport report)
    {
        Volatile.Write(ref _currentTarget, (int)target);
        Volatile.Write(ref _caseStarted, Stopwatch.GetTimestamp());
        Volatile.Write(ref _currentCase, index);
        try
        {
            switch (target)
            {
                case FuzzTarget.Netlink:
                    _netlink.Run(rng);
                    Count(report, _netlink.Kind);
                    return null;
                case FuzzTarget.Proc:
                    _proc.Run(rng);
                    Count(report, _proc.Kind);
                    return null;
                default:
                    var text = _exposition.Run(rng, index);
                    Count(report, _exposition.Kind);
                    return _promtool?.Add(index, text) is { } verdict ? PromtoolFailure(verdict) : null;
            }
        }
        catch (Exception e)
        {
            var problem = e is FuzzPropertyException ? e.Message : $"an exception escaped: {e}";
            return new FuzzFailure(_settings.Seed, index, target, KindOf(target), problem, DescribeOf(target));
        }
    }

    // promtool judged a batch long after its cases ran: re-create the refused case from its seed.
    private FuzzFailure PromtoolFailure(PromtoolVerdict verdict)
    {
        var rng = new FuzzRandom(FuzzRandom.CaseSeed(_settings.Seed, verdict.CaseIndex));
        TargetOf(rng);
        var replay = new ExpositionFuzzer();
        var text = replay.Run(rng, verdict.CaseIndex);
        return new FuzzFailure(_settings.Seed, verdict.CaseIndex, FuzzTarget.Exposition, replay.Kind,
            $"promtool check metrics refused the 0.0.4 text: {verdict.Output}",
            replay.DescribeInput() + "0.0.4 text given to promtool:\n" + FuzzFormat.Literal(System.Text.Encoding.UTF8.GetString(text)));
    }

    private FuzzReport? HungCase()
    {
        var index = Volatile.Read(ref _currentCase);
        var started = Volatile.Read(ref _caseStarted);
        if (index < 0 || Stopwatch.GetElapsedTime(started) < _settings.CaseTimeout)
        {
            return null;
        }

        var target = (FuzzTarget)Volatile.Read(ref _currentTarget);
        var report = new FuzzReport { Seed = _settings.Seed, Elapsed = _clock.Elapsed };
        report.Add(new FuzzFailure(_settings.Seed, index, target, KindOf(target),
            $"the case has been running for more than {_settings.CaseTimeout.TotalSeconds:0} s (a hang)", DescribeOf(target)));
        return report;
    }

    private string KindOf(FuzzTarget target) => target switch
    {
        FuzzTarget.Netlink => _netlink.Kind,
        FuzzTarget.Proc => _proc.Kind,
        _ => _exposition.Kind,
    };

    private string DescribeOf(FuzzTarget target) => target switch
    {
        FuzzTarget.Netlink => _netlink.DescribeInput(),
        FuzzTarget.Proc => _proc.DescribeInput(),
        FuzzTarget.Exposition => _exposition.DescribeInput(),
        _ => "(unknown)",
    };

    private void Fill(FuzzReport report)
    {
        report.Elapsed = _clock.Elapsed;
        if (_promtool is not null)
        {
            report.PromtoolRuns = _promtool.Runs;
            report.PromtoolBytes = _promtool.Bytes;
            report.PromtoolCases = _promtool.CasesChecked;
        }
    }

    private void Count(FuzzReport report, string kind)
    {
        report.CasesByKind[kind] = report.CasesByKind.GetValueOrDefault(kind) + 1;
        report.TimeByKind[kind] = report.TimeByKind.GetValueOrDefault(kind) + Stopwatch.GetElapsedTime(Volatile.Read(ref _caseStarted));
    }
}
