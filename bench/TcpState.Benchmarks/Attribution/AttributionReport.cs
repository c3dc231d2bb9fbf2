using System.Globalization;
using System.Text;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// The printed result: machine, method, one table (a row per measurement, a column per size:
/// with a dozen measurements and two sizes that reads better than the other way round), then
/// per-size details and check results.
/// </summary>
internal static class AttributionReport
{
    public static string Format(IReadOnlyList<string> machine, IReadOnlyList<SizeOutcome> outcomes)
    {
        var text = new StringBuilder();
        text.AppendLine("tcpstate-exporter benchmark: process attribution (ProcessSocketMap over /proc) vs 'ss -tanp'");
        foreach (var line in machine)
        {
            text.AppendLine(line);
        }

        text.AppendLine("per size: a fresh netns, SocketHolder processes on loopback (ESTABLISHED pairs + a few hundred CLOSE_WAIT),");
        text.AppendLine(CultureInfo.InvariantCulture, $"a netlink sampler with /proc attribution (exporter defaults); 1 cold sample, then medians of {AttributionBenchmark.SteadySamples} steady samples;");
        text.AppendLine(CultureInfo.InvariantCulture, $"'ip netns exec NS ss -tanp > /dev/null': median of {AttributionBenchmark.SsRuns} runs, each capped at {SsTimer.Cap.TotalSeconds:0} s ('>' marks a lower bound).");
        text.AppendLine(CultureInfo.InvariantCulture, $"targets: steady state <= {AttributionBenchmark.TargetSteady.TotalMilliseconds:0} ms at 100k sockets and >= {AttributionBenchmark.TargetRatio:0}x faster than ss -tanp.");
        text.AppendLine();

        var results = outcomes.Select(o => o.Result).ToList();
        var table = new TextTable(["", .. outcomes.Select(o => N(o.Size) + " sockets")]);
        Row(table, results, "sockets (ss -tanH)", r => N(r.Sockets));
        Row(table, results, "processes holding them", r => N(r.Processes));
        Row(table, results, "cold sample ms", r => Ms(r.ColdSample));
        Row(table, results, "cold attribution ms", r => Ms(r.ColdAttribution));
        Row(table, results, "steady sample ms", r => Ms(r.SteadySample));
        Row(table, results, "steady attribution ms (A)", r => Ms(r.SteadyAttribution));
        Row(table, results, "steady sample w/o attribution ms", r => Ms(r.SteadyWithoutAttribution));
        Row(table, results, "attribution overhead ms (B)", r => Ms(r.AttributionOverhead));
        Row(table, results, "alloc bytes/sample", r => N(r.AllocatedBytes));
        Row(table, results, "after-churn attribution ms", r => Ms(r.ChurnAttribution));
        Row(table, results, "ss -tanp ms", r => Bound(r) + Ms(r.Ss.Median));
        Row(table, results, "ratio ss / steady attribution (A)", r => Bound(r) + Ratio(r.Ss.Median / r.SteadyAttribution));
        Row(table, results, "ratio ss / attribution overhead (B)", r => Bound(r) + Ratio(r.Ss.Median / r.AttributionOverhead));
        Row(table, results, "ratio ss / steady sample", r => Bound(r) + Ratio(r.Ss.Median / r.SteadySample));
        Row(table, results, "targets met by (A)", r => Targets(r, r.SteadyAttribution));
        Row(table, results, "targets met by (B)", r => Targets(r, r.AttributionOverhead));
        Row(table, results, "targets met by the whole sample", r => Targets(r, r.SteadySample));
        Row(table, results, "attribution check", r => r.Problems.Count == 0 ? "OK" : "DIFFERENT");
        text.Append(table);
        text.AppendLine("(A) SocketSnapshot.AttributionDuration: the end of a sample, resolving inodes not yet known (a /proc walk when needed).");
        text.AppendLine("(B) median of paired differences, sample minus sample without attribution: (A) plus the per-socket owner lookups during the dump.");
        text.AppendLine("targets: '10ms' is judged for every size (stated for 100k, smaller sizes must meet it too); '20x' is ss -tanp over the measure.");
        text.AppendLine();

        foreach (var outcome in outcomes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{N(outcome.Size)} sockets:");
            if (outcome.Result is not { } r)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  FAILED: {outcome.Error}");
                continue;
            }

            foreach (var note in r.Notes)
            {
                text.AppendLine("  " + note);
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  churn sample: {Ms(r.ChurnSample)} ms in all; ss -tanp runs made: {r.Ss.Runs}");
            text.AppendLine(r.Problems.Count == 0
                ? "  attribution check: OK (every socket with an inode attributed; per-process totals equal ss -tanp's)"
                : "  attribution check: DIFFERENT");
            foreach (var problem in r.Problems)
            {
                text.AppendLine("    " + problem);
            }
        }

        return text.ToString();
    }

    private static void Row(TextTable table, List<SizeResult?> results, string name, Func<SizeResult, string> cell) =>
        table.Add([name, .. results.Select(r => r is null ? "FAILED" : cell(r))]);

    // A capped ss time makes every ratio a lower bound; a lower bound that meets the target still meets it.
    private static string Bound(SizeResult result) => result.Ss.Capped ? ">" : "";

    // An overhead at or below zero is lost in the noise between paired samples: nothing to miss.
    private static string Targets(SizeResult result, TimeSpan steady) => steady <= TimeSpan.Zero
        ? "below noise"
        : $"10ms:{YesNo(steady <= AttributionBenchmark.TargetSteady)} 20x:{YesNo(result.Ss.Median / steady >= AttributionBenchmark.TargetRatio)}";

    private static string YesNo(bool value) => value ? "yes" : "NO";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        var format = Math.Abs(ms) >= 100 ? "0" : Math.Abs(ms) >= 10 ? "0.0" : Math.Abs(ms) >= 1 ? "0.00" : "0.000";
        return ms.ToString(format, CultureInfo.InvariantCulture);
    }

    // A non-positive denominator (an overhead lost in the noise) has no meaningful ratio.
    private static string Ratio(double ratio) =>
        !double.IsFinite(ratio) || ratio <= 0 ? "n/a" : ratio.ToString(ratio >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture) + "x";
}
