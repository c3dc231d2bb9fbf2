using System.Globalization;

namespace TcpState.Benchmarks.Peers;

/// <summary>The issue's targets, each judged met or missed on one mix's table, with the measured ratio.</summary>
internal static class PeersTargets
{
    private const double ReferenceRatio = 1.10;
    private const double SsRatio = 2;
    private const double AttributionMs = 10;
    private const double SsTanpRatio = 20;
    private const double P99Ms = 5;
    private const double RssMb = 150;
    private const double CpuShare = 0.02;

    // "Does not depend on the socket count": the largest size within this factor of the smallest.
    private const double FlatFactor = 1.5;

    public static IEnumerable<string> Judge(List<PeersOutcome> columns)
    {
        var measured = columns.Where(c => c.Result is not null).Select(c => (c.Size, R: c.Result!)).ToList();
        if (measured.Count == 0)
        {
            yield return "nothing measured";
            yield break;
        }

        // Stated for 100k and 1M; sizes below 100k are shown but not judged.
        var large = measured.Where(m => m.Size >= 100_000).ToList();
        // Judged back to back (median of the triples' ratios): the ratio of the rounds' medians
        // compares runs tens of seconds apart at 1M, and this VM drifts by more than 10 % in that time.
        yield return Line("sampling <= 1.10x the C reference at 100k and 1M (ours / reference, back to back)",
            large, m => m.R.BackToBack.BareMedian, v => v <= ReferenceRatio, Ratio);
        yield return Line("  the same with attribution on (the exporter's default sample)",
            large, m => m.R.BackToBack.AttributedMedian, v => v <= ReferenceRatio, Ratio);
        yield return Line(">= 2x faster than ss -tan (ss / ours)",
            measured, m => m.R[PeerKeys.Ss].Wall / m.R[PeerKeys.Netlink].Wall, v => v >= SsRatio, Ratio);
        yield return Line("faster than node_exporter's tcpstat scrape (node_exporter / ours)",
            measured, m => m.R[PeerKeys.NodeExporter].Wall / m.R[PeerKeys.Netlink].Wall, v => v > 1, Ratio);

        var smallest = measured[0];
        var largest = measured[^1];
        var growth = (largest.R[PeerKeys.Netlink].Allocated - smallest.R[PeerKeys.Netlink].Allocated)
            / Math.Max(1, largest.R.CountsAtStart.Total - smallest.R.CountsAtStart.Total);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"allocation per sample does not grow with the sockets: {Verdict(measured.Count > 1 && Math.Abs(growth) < 0.01)} ({string.Join(", ", measured.Select(m => $"{PeersReport.N(m.R[PeerKeys.Netlink].Allocated)} B at {PeersReport.N(m.Size)}"))}; {growth:0.0000} B per added socket)");

        yield return Line("attribution steady state <= 10 ms at 100k, (A) AttributionDuration",
            measured.Where(m => m.Size == 100_000).ToList(), m => m.R.Attribution.SteadyMs, v => v <= AttributionMs, Ms);
        yield return Line("attribution steady state <= 10 ms at 100k, (B) real overhead",
            measured.Where(m => m.Size == 100_000).ToList(), m => m.R.Attribution.OverheadMs, v => v <= AttributionMs, Ms);
        yield return Line("attribution >= 20x faster than ss -tanp, (B) (a capped ss makes it a lower bound)",
            measured, m => m.R.Attribution.SsTanp.Wall / m.R.Attribution.OverheadMs, v => v >= SsTanpRatio, Ratio);

        var daemons = measured.Where(m => m.R.Daemon is not null).ToList();
        if (daemons.Count == 0)
        {
            yield return "daemon targets: not measured (--no-daemon)";
            yield break;
        }

        yield return Line("/metrics p99 <= 5 ms, ~2,000 series, 32 connections",
            daemons, m => m.R.Daemon!.Wrk.P99Ms, v => v <= P99Ms, Ms);
        var first = daemons[0].R.Daemon!;
        var last = daemons[^1].R.Daemon!;
        var p99Factor = last.Wrk.P99Ms / first.Wrk.P99Ms;
        var scrapeFactor = last.SingleScrapeMs / first.SingleScrapeMs;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"/metrics cost independent of the socket count ({PeersReport.N(daemons[^1].Size)} vs {PeersReport.N(daemons[0].Size)} sockets, within {FlatFactor}x): {Verdict(p99Factor <= FlatFactor && scrapeFactor <= FlatFactor)} (p99 {p99Factor:0.00}x, one scrape {scrapeFactor:0.00}x, series {first.Series} vs {last.Series})");

        var million = daemons.Where(m => m.Size >= 1_000_000).ToList();
        if (million.Count == 0)
        {
            yield return "1M targets (RSS, CPU share): no 1M size measured in this run";
            yield break;
        }

        yield return Line("at 1M: RSS <= 150 MB (VmRSS after steady samples; peak in the table)",
            million, m => m.R.Daemon!.RssBytes / 1048576.0, v => v <= RssMb, v => v.ToString("0", CultureInfo.InvariantCulture) + " MB");
        yield return Line("at 1M: <= 2% of one core at the default 10 s interval",
            million, m => m.R.Daemon!.CpuShare, v => v <= CpuShare, v => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%");
        yield return Line("at 1M: the interval adapts and warns when a sample takes more than a tenth of it or costs more than the CPU budget (warnings logged)",
            million, m => m.R.Daemon!.SampleSeconds > 1 || m.R.Daemon.EffectiveInterval > TimeSpan.FromSeconds(10) ? m.R.Daemon.SlowSampleWarnings : double.PositiveInfinity,
            v => v > 0, v => double.IsInfinity(v) ? "samples under 1 s, nothing to adapt" : v.ToString("0", CultureInfo.InvariantCulture) + " warnings");
    }

    private static string Line(string target, List<(int Size, SizeMeasurement R)> sizes, Func<(int Size, SizeMeasurement R), double> measure, Func<double, bool> met, Func<double, string> format)
    {
        if (sizes.Count == 0)
        {
            return $"{target}: not measured (no such size in this run)";
        }

        var values = sizes.Select(s => (s.Size, Value: measure(s))).ToList();
        var ok = values.All(v => double.IsFinite(v.Value) ? met(v.Value) : met(v.Value));
        return $"{target}: {Verdict(ok)} ({string.Join(", ", values.Select(v => $"{format(v.Value)} at {PeersReport.N(v.Size)}"))})";
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";

    private static string Ratio(double value) => PeersReport.Ratio(value);

    private static string Ms(double value) => PeersReport.Ms(value) + " ms";
}
