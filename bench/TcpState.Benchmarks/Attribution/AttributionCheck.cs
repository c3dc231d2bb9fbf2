using System.Globalization;
using TcpState.Core;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// Compares the exporter's attribution with 'ss -tanp' on the same (static) sockets. A fast
/// sample that attributes wrongly is worthless, so each size is checked, not just timed.
/// </summary>
internal static class AttributionCheck
{
    /// <summary>Differences between the samplers and ss; empty when they agree.</summary>
    /// <param name="measured">A sample of the benchmarked sampler (exporter defaults: no pid label).</param>
    /// <param name="perPid">A sample of a second sampler with the pid label on, so totals can be compared per process.</param>
    /// <param name="ss">'ss -tanp' taken while nothing changed.</param>
    /// <param name="holders">The holders now running.</param>
    /// <param name="processName">The holders' process name (comm), as both the exporter and ss show it.</param>
    public static List<string> Compare(SocketSnapshot measured, SocketSnapshot perPid, SsProcessCounts ss, IReadOnlyList<RunningHolder> holders, string processName)
    {
        var problems = new List<string>();
        CheckComplete(measured, "benchmarked sampler", problems);
        CheckComplete(perPid, "per-pid sampler", problems);

        var exporter = TotalsByPid(perPid, processName);
        var reference = ss.ForName(processName);
        var pids = holders.Select(h => h.Process.Pid).Concat(exporter.Keys).Concat(reference.Keys).Distinct().Order();
        foreach (var pid in pids)
        {
            var ours = exporter.GetValueOrDefault(pid);
            var theirs = reference.GetValueOrDefault(pid);
            if (ours != theirs)
            {
                problems.Add($"pid {pid}: exporter {ours} sockets, ss -tanp {theirs}");
            }

            if (holders.FirstOrDefault(h => h.Process.Pid == pid) is { } holder && theirs != holder.Plan.HeldSockets)
            {
                // Not an exporter error, but the comparison would then prove less than it claims.
                problems.Add($"pid {pid}: ss -tanp shows {theirs} sockets, the holder was asked to hold {holder.Plan.HeldSockets}");
            }
        }

        var measuredTotal = TotalFor(measured);
        var referenceTotal = reference.Values.Sum();
        if (measuredTotal != referenceTotal)
        {
            problems.Add($"process \"{processName}\": benchmarked sampler {measuredTotal} sockets, ss -tanp {referenceTotal}");
        }

        return problems;

        long TotalFor(SocketSnapshot snapshot) => snapshot.PortGroups.Where(g => g.Process == processName).Sum(g => g.Count);
    }

    /// <summary>After one holder was replaced: the new one fully attributed, the old one gone.</summary>
    public static List<string> CompareAfterChurn(SocketSnapshot measured, SocketSnapshot perPid, RunningHolder replacement, int oldPid, string processName)
    {
        var problems = new List<string>();
        CheckComplete(measured, "benchmarked sampler after churn", problems);
        CheckComplete(perPid, "per-pid sampler after churn", problems);
        var totals = TotalsByPid(perPid, processName);
        var attributed = totals.GetValueOrDefault(replacement.Process.Pid);
        if (attributed != replacement.Plan.HeldSockets)
        {
            problems.Add($"after churn, replacement pid {replacement.Process.Pid}: exporter {attributed} sockets, the holder holds {replacement.Plan.HeldSockets}");
        }

        if (totals.TryGetValue(oldPid, out var stale))
        {
            problems.Add($"after churn, stopped pid {oldPid} still has {stale} sockets");
        }

        return problems;
    }

    private static void CheckComplete(SocketSnapshot snapshot, string which, List<string> problems)
    {
        if (snapshot.UnattributedSockets != 0)
        {
            problems.Add($"{which}: {snapshot.UnattributedSockets} sockets with an inode not attributed");
        }

        // Folded series merge processes into process="other", which would hide attribution errors.
        if (snapshot.FoldedGroups != 0)
        {
            problems.Add($"{which}: {snapshot.FoldedGroups} groups folded by the series cap");
        }
    }

    private static Dictionary<int, long> TotalsByPid(SocketSnapshot snapshot, string processName) =>
        snapshot.PortGroups
            .Where(g => g.Process == processName && g.Pid is not null)
            .GroupBy(g => int.Parse(g.Pid!, CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
}
