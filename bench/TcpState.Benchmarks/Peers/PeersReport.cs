using System.Globalization;
using System.Text;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The printed result: machine and method, then per mix one table (a row per measurement, a
/// column per size), the targets judged on it, and the per-size notes.
/// </summary>
internal static class PeersReport
{
    public static string Format(IReadOnlyList<string> machine, PeersOptions options, IReadOnlyList<PeersOutcome> outcomes)
    {
        var text = new StringBuilder();
        text.AppendLine("tcpstate-exporter benchmark: sampling the TCP table against the peers and the kernel's limit, on the same sockets");
        foreach (var line in machine)
        {
            text.AppendLine(line);
        }

        text.AppendLine("per mix and size: a fresh netns filled on loopback (C pair-holder processes for ESTABLISHED/CLOSE_WAIT, a C churn generator for TIME_WAIT,");
        text.AppendLine(CultureInfo.InvariantCulture, $"a 'series' holder with {LoadPlan.SeriesPorts} ports so the daemon serves ~2,000 series at every size); the peers run in interleaved rounds");
        text.AppendLine("(rotated order) on those sockets, TIME_WAIT runs only inside a window where no TIME_WAIT socket can expire; medians; ms unless named.");
        text.AppendLine("Then ours, ours with attribution and the C reference run back to back in triples (rotated order, one window each): the ratio per");
        text.AppendLine("triple, their median and middle half; the targets judge these, as the rounds run the three tens of seconds apart at 1M.");
        text.AppendLine("CPU: the sampling thread (ours, gopsutil mirror), the process (C reference, ss: wait4 rusage), node_exporter's threads (schedstat).");
        text.AppendLine();

        foreach (var mix in options.Mixes)
        {
            var columns = outcomes.Where(o => o.Mix == mix).ToList();
            if (columns.Count == 0)
            {
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"== {PeersBenchmark.Mix(mix)} mix ==");
            text.Append(Table(columns));
            text.AppendLine();
            text.AppendLine("targets (issue 6), judged on this table:");
            foreach (var line in PeersTargets.Judge(columns))
            {
                text.AppendLine("  " + line);
            }

            text.AppendLine();
            foreach (var outcome in columns)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{N(outcome.Size)} sockets, {PeersBenchmark.Mix(mix)}:");
                if (outcome.Result is not { } r)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  NOT MEASURED: {outcome.Error}");
                    continue;
                }

                foreach (var note in r.Notes)
                {
                    text.AppendLine("  " + note);
                }

                text.AppendLine(r.Problems.Count == 0 ? "  checks: OK (every peer counted the same sockets)" : "  checks: PROBLEMS");
                foreach (var problem in r.Problems)
                {
                    text.AppendLine("    " + problem);
                }
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Table(List<PeersOutcome> columns)
    {
        var results = columns.Select(c => c.Result).ToList();
        var table = new TextTable(["", .. columns.Select(c => N(c.Size) + " sockets")]);
        void Row(string name, Func<SizeMeasurement, string> cell) =>
            table.Add([name, .. results.Select(r => r is null ? "-" : cell(r))]);

        Row("sockets at start (sockstat)", r => N(r.CountsAtStart.Total));
        Row("  ESTAB / CLOSE_WAIT / TIME_WAIT", r => r.ReferenceStates.Count > 8 ? $"{K(r.ReferenceStates[1])} / {K(r.ReferenceStates[8])} / {K(r.ReferenceStates[6])}" : "?");
        Row("ours: netlink sample", r => Ms(r[PeerKeys.Netlink].Wall));
        Row("  CPU", r => Ms(r[PeerKeys.Netlink].Cpu));
        Row("  bytes allocated per sample", r => N(r[PeerKeys.Netlink].Allocated));
        Row("ours: + attribution (exporter default)", r => Ms(r[PeerKeys.NetlinkAttributed].Wall));
        Row("  bytes allocated per sample", r => N(r[PeerKeys.NetlinkAttributed].Allocated));
        Row("ours: /proc fallback sample", r => Ms(r[PeerKeys.Proc].Wall));
        Row("  CPU", r => Ms(r[PeerKeys.Proc].Cpu));
        Row("  bytes allocated per sample", r => N(r[PeerKeys.Proc].Allocated));
        Row("C reference (dump + count)", r => Ms(r[PeerKeys.Reference].Wall));
        Row("  CPU", r => Ms(r[PeerKeys.Reference].Cpu));
        Row("ss -tan > /dev/null", r => Ms(r[PeerKeys.Ss].Wall));
        Row("  CPU", r => Ms(r[PeerKeys.Ss].Cpu));
        Row("node_exporter tcpstat scrape", r => Ms(r[PeerKeys.NodeExporter].Wall));
        Row("  CPU (its threads)", r => Ms(r[PeerKeys.NodeExporter].Cpu));
        Row("OTel/gopsutil /proc/net parse", r => Ms(r[PeerKeys.OtelParse].Wall));
        Row("  CPU", r => Ms(r[PeerKeys.OtelParse].Cpu));
        Row("  bytes allocated", r => N(r[PeerKeys.OtelParse].Allocated));
        Row("OTel/gopsutil Connections (+fd walk, uids)", r => (r[PeerKeys.OtelFull].Capped ? ">" : "") + Ms(r[PeerKeys.OtelFull].Wall));
        Row("ratio ours / C reference", r => Ratio(r[PeerKeys.Netlink].Wall / r[PeerKeys.Reference].Wall));
        Row("ratio ours+attribution / C reference", r => Ratio(r[PeerKeys.NetlinkAttributed].Wall / r[PeerKeys.Reference].Wall));
        Row("back to back: triples", r => N(r.BackToBack.Triples));
        Row("  ours / C reference, median (middle half)", r => Spread(r.BackToBack.Bare));
        Row("  ours+attribution / C reference", r => Spread(r.BackToBack.Attributed));
        Row("ratio ss -tan / ours", r => Ratio(r[PeerKeys.Ss].Wall / r[PeerKeys.Netlink].Wall));
        Row("ratio node_exporter / ours", r => Ratio(r[PeerKeys.NodeExporter].Wall / r[PeerKeys.Netlink].Wall));
        Row("ratio /proc fallback / ours", r => Ratio(r[PeerKeys.Proc].Wall / r[PeerKeys.Netlink].Wall));
        Row("ratio OTel parse / ours", r => Ratio(r[PeerKeys.OtelParse].Wall / r[PeerKeys.Netlink].Wall));
        Row("attribution: cold", r => Ms(r.Attribution.ColdMs));
        Row("attribution: steady (A)", r => Ms(r.Attribution.SteadyMs));
        Row("attribution: overhead (B)", r => Ms(r.Attribution.OverheadMs));
        Row("attribution: after churn", r => Ms(r.Attribution.ChurnMs));
        Row("ss -tanp > /dev/null", r => Bound(r) + Ms(r.Attribution.SsTanp.Wall));
        Row("ratio ss -tanp / (A)", r => Bound(r) + Ratio(r.Attribution.SsTanp.Wall / r.Attribution.SteadyMs));
        Row("ratio ss -tanp / (B)", r => Bound(r) + Ratio(r.Attribution.SsTanp.Wall / r.Attribution.OverheadMs));
        Row("/metrics series", r => r.Daemon is { } d ? N(d.Series) : "-");
        Row("/metrics one scrape (uncached)", r => r.Daemon is { } d ? Ms(d.SingleScrapeMs) : "-");
        Row("/metrics wrk -c32 p50 (between samples)", r => r.Daemon is { } d ? Ms(d.Wrk.P50Ms) : "-");
        Row("/metrics wrk -c32 p99 (between samples)", r => r.Daemon is { } d ? Ms(d.Wrk.P99Ms) : "-");
        Row("/metrics wrk -c32 requests/s", r => r.Daemon is { } d ? N(d.Wrk.RequestsPerSecond) : "-");
        Row("daemon RSS MB (peak)", r => r.Daemon is { } d ? $"{d.RssBytes / 1048576.0:0} ({d.PeakRssBytes / 1048576.0:0})" : "-");
        Row("daemon CPU, % of a core (--sample.interval 10s)", r => r.Daemon is { } d ? (d.CpuShare * 100).ToString("0.00", CultureInfo.InvariantCulture) : "-");
        Row("daemon's interval in effect, s", r => r.Daemon is { } d ? d.EffectiveInterval.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) : "-");
        Row("daemon's own sample", r => r.Daemon is { } d ? Ms(d.SampleSeconds * 1000) : "-");
        return table.ToString();
    }

    private static string Spread(IReadOnlyList<double> ratios) =>
        $"{Ratio(Statistics.Median(ratios))} ({Ratio(Statistics.Quantile(ratios, 0.25))}-{Ratio(Statistics.Quantile(ratios, 0.75))})";

    private static string Bound(SizeMeasurement r) => r.Attribution.SsTanp.Capped ? ">" : "";

    public static string N(double value) =>
        double.IsFinite(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string K(long value) => value >= 10_000 ? (value / 1000.0).ToString("0", CultureInfo.InvariantCulture) + "k" : N(value);

    public static string Ms(double ms)
    {
        if (!double.IsFinite(ms))
        {
            return "n/a";
        }

        var format = Math.Abs(ms) >= 100 ? "N0" : Math.Abs(ms) >= 10 ? "0.0" : Math.Abs(ms) >= 1 ? "0.00" : "0.000";
        return ms.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string Ratio(double ratio) =>
        !double.IsFinite(ratio) || ratio <= 0 ? "n/a" : ratio.ToString(ratio >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture) + "x";
}
