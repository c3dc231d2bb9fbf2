using System.Globalization;
using System.Text;

namespace TcpState.Benchmarks.Netns;

/// <summary>The printed result: machine and setup, one table (a column per size of BIG), derived lines, problems.</summary>
internal static class NetnsReport
{
    public static string Format(IReadOnlyList<string> machine, IReadOnlyList<string> setup, int small, int runs, int childBuckets, IReadOnlyList<ColumnResult> columns, IReadOnlyList<string> problems)
    {
        var text = new StringBuilder();
        text.AppendLine("tcpstate-exporter benchmark: the cost of dumping a small network namespace that shares the host's TCP table");
        foreach (var line in machine)
        {
            text.AppendLine(line);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{NetnsBenchmark.SmallShared} and {NetnsBenchmark.SmallOwn} hold the same ~{small:N0} ESTABLISHED loopback sockets; {NetnsBenchmark.SmallShared} was created with");
        text.AppendLine(CultureInfo.InvariantCulture, $"{ChildEhash.Sysctl}=0 (the default: the host's table), {NetnsBenchmark.SmallOwn} with it at {childBuckets} (a table of its own);");
        text.AppendLine(CultureInfo.InvariantCulture, $"{NetnsBenchmark.Big} (shared table) holds N sockets. A dump: one netlink socket opened inside the namespace, a full IPv4 + IPv6");
        text.AppendLine(CultureInfo.InvariantCulture, $"SOCK_DIAG_BY_FAMILY dump of all states (InetDiagReader.Dump, as a sample makes it) into a sink that only counts.");
        text.AppendLine(CultureInfo.InvariantCulture, $"{runs} rounds per column, each namespace once per round in rotated order; medians; ms; CPU: the dumping thread (user + kernel).");
        foreach (var line in setup)
        {
            text.AppendLine(line);
        }

        text.AppendLine();
        var table = new TextTable(["", .. columns.Select(c => c.BigSockets == 0 ? "no BIG" : $"BIG {c.BigSockets:N0}")]);
        Row(table, columns, "sockets in BIG (ss -tanH)", c => c.BigSockets == 0 ? "-" : N(c.BigCounted));
        Row(table, columns, "  SocketHolder processes", c => c.BigSockets == 0 ? "-" : N(c.BigHolders));
        Row(table, columns, "TCP sockets host-wide (sockstat alloc)", c => c.AllocatedBefore == c.AllocatedAfter ? N(c.AllocatedBefore) : $"{N(c.AllocatedBefore)}-{N(c.AllocatedAfter)}");
        foreach (var label in new[] { NetnsBenchmark.SmallShared, NetnsBenchmark.SmallOwn, NetnsBenchmark.Big })
        {
            Row(table, columns, $"{label} dump", c => c.Times.TryGetValue(label, out var t) ? Ms(t.WallMs) : "-");
            Row(table, columns, "  CPU", c => c.Times.TryGetValue(label, out var t) ? Ms(t.CpuMs) : "-");
            Row(table, columns, "  sockets returned", c => c.Times.TryGetValue(label, out var t) ? N(t.Sockets) : "-");
        }

        Row(table, columns, $"ratio {NetnsBenchmark.SmallShared} / {NetnsBenchmark.SmallOwn}", c => Ratio(c, t => t.WallMs));
        Row(table, columns, "  CPU", c => Ratio(c, t => t.CpuMs));
        foreach (var k in NetnsBenchmark.NamespaceCounts)
        {
            Row(table, columns, $"{k} small namespaces per sample, shared / own", c => Both(c, t => k * t.WallMs, Ms));
            Row(table, columns, $"  CPU, % of a core at {NetnsBenchmark.SampleInterval.TotalSeconds:0} s", c => Both(c, t => k * t.CpuMs / NetnsBenchmark.SampleInterval.TotalMilliseconds * 100, Percent));
        }

        Row(table, columns, "load average (1 min) after", c => c.LoadAverage);
        Row(table, columns, "dumped counts = ss -tanH", c => c.Problems.Count == 0 ? "OK" : "DIFFERENT");
        text.Append(table);
        text.AppendLine(CultureInfo.InvariantCulture, $"'N small namespaces per sample': N x the median dump of one small namespace: what an exporter that dumps every namespace pays per sample.");

        // The trap as a rate: what each socket elsewhere on the shared table adds to a small namespace's dump.
        var first = columns[0];
        var last = columns[^1];
        if (!ReferenceEquals(first, last)
            && first.Times.TryGetValue(NetnsBenchmark.SmallShared, out var before)
            && last.Times.TryGetValue(NetnsBenchmark.SmallShared, out var after)
            && last.BigSockets > first.BigSockets)
        {
            var added = last.BigCounted - first.BigCounted;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"each socket added to the shared table (BIG {N(first.BigCounted)} -> {N(last.BigCounted)}) adds {(after.WallMs - before.WallMs) * 1e6 / added:0.0} ns wall, {(after.CpuMs - before.CpuMs) * 1e6 / added:0.0} ns CPU to every dump of {NetnsBenchmark.SmallShared}");
        }

        text.AppendLine();
        if (problems.Count == 0)
        {
            text.AppendLine("checks: OK (every namespace on the table it was meant to be on; every dump returned the sockets ss -tanH counts)");
        }
        else
        {
            text.AppendLine("checks: FAILED");
            foreach (var problem in problems)
            {
                text.AppendLine("  " + problem);
            }
        }

        return text.ToString();
    }

    private static void Row(TextTable table, IReadOnlyList<ColumnResult> columns, string name, Func<ColumnResult, string> cell) =>
        table.Add([name, .. columns.Select(cell)]);

    private static string Ratio(ColumnResult column, Func<DumpTimes, double> value) =>
        column.Times.TryGetValue(NetnsBenchmark.SmallShared, out var shared) && column.Times.TryGetValue(NetnsBenchmark.SmallOwn, out var own) && value(own) > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value(shared) / value(own):0.0}x")
            : "-";

    private static string Both(ColumnResult column, Func<DumpTimes, double> value, Func<double, string> format) =>
        column.Times.TryGetValue(NetnsBenchmark.SmallShared, out var shared)
            ? format(value(shared)) + " / " + (column.Times.TryGetValue(NetnsBenchmark.SmallOwn, out var own) ? format(value(own)) : "-")
            : "-";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    // Three significant digits at most, never fewer than the value needs to be read: 0.412, 4.12, 41.2, 412.
    private static string Ms(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000", CultureInfo.InvariantCulture),
    };

    private static string Percent(double value) => value.ToString(value >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture) + "%";
}
