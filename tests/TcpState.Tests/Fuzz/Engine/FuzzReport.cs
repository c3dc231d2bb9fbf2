using System.Globalization;
using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>What a fuzz run did: cases per generator, speed, promtool work, and the failure if there was one.</summary>
public sealed class FuzzReport
{
    public required ulong Seed { get; init; }

    public long Cases { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Cases per generator kind, e.g. "netlink/modelled".</summary>
    public SortedDictionary<string, long> CasesByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Time spent in the cases of each kind (promtool runs, in the background, not included).</summary>
    public Dictionary<string, TimeSpan> TimeByKind { get; } = new(StringComparer.Ordinal);

    public int PromtoolRuns { get; set; }

    public long PromtoolBytes { get; set; }

    public long PromtoolCases { get; set; }

    /// <summary>The first failure, or null.</summary>
    public FuzzFailure? Failure => Failures.Count > 0 ? Failures[0] : null;

    /// <summary>The input of a one-case run (a replay), printed whether it failed or not.</summary>
    public string? ReplayedInput { get; set; }

    /// <summary>The first case of each distinct failure, in the order found.</summary>
    public List<FuzzFailure> Failures { get; } = [];

    /// <summary>How many cases failed in each of <see cref="Failures"/>' ways (same order).</summary>
    public List<long> FailureCounts { get; } = [];

    /// <summary>Records a failure; false when it repeats one already recorded (only counted).</summary>
    public bool Add(FuzzFailure failure)
    {
        var signature = Signature(failure);
        for (var i = 0; i < Failures.Count; i++)
        {
            if (Signature(Failures[i]) == signature)
            {
                FailureCounts[i]++;
                return false;
            }
        }

        Failures.Add(failure);
        FailureCounts.Add(1);
        return true;
    }

    public double CasesPerSecond => Elapsed.TotalSeconds > 0 ? Cases / Elapsed.TotalSeconds : 0;

    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed {Seed}: {Cases:N0} cases in {Elapsed.TotalSeconds:0.0} s, {CasesPerSecond:N0} cases/s\n");
        foreach (var (kind, count) in CasesByKind)
        {
            var time = TimeByKind.GetValueOrDefault(kind);
            text.Append(CultureInfo.InvariantCulture, $"  {kind,-28} {count,12:N0} cases  {time.TotalMicroseconds / count,8:N1} us/case\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  promtool check metrics: {PromtoolRuns:N0} runs over {PromtoolCases:N0} exposition cases, {PromtoolBytes / 1048576.0:N1} MiB\n");
        if (ReplayedInput is not null)
        {
            text.Append("input of the replayed case:\n").Append(ReplayedInput);
        }

        if (Failures.Count == 0)
        {
            return text.Append("result: no failure\n").ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"result: FAILED, {Failures.Count} distinct failure(s)\n");
        for (var i = 0; i < Failures.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- failure {i + 1} of {Failures.Count}: {FailureCounts[i]:N0} case(s) failed this way; the first:\n").Append(Failures[i]);
        }

        return text.ToString();
    }

    // The generator and the problem's first line without numbers: the same bug on other inputs.
    private static string Signature(FuzzFailure failure)
    {
        var line = failure.Problem.Split('\n')[0];
        return failure.Kind + ":" + new string(line.Where(c => !char.IsAsciiDigit(c)).ToArray());
    }
}
