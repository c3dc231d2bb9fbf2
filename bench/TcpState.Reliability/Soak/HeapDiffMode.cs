using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace TcpState.Reliability.Soak;

/// <summary>
/// Compares two heap dumps of a soak (<c>soak --dump-dir</c>): the objects reachable from the
/// roots in each, by type, and where the types that grew most are held, as the chains of types
/// from a root down to a sample of their instances. What the in-process census cannot see
/// (statics of generic types, GC handles, the harness's own objects) shows here.
/// </summary>
internal sealed class HeapDiffMode : IReliabilityMode
{
    public string Name => "heapdiff";

    public string Usage => "heapdiff BEFORE.dmp AFTER.dmp [--top N] [--paths N] [--skip TYPE-PREFIX]   (live objects by type, AFTER - BEFORE, and the root paths of the N types that grew most; --skip does not follow references out of matching types)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var reader = new ArgumentReader(arguments, new HashSet<string>());
        var top = (int)reader.Number("--top", 25, 1, 10_000);
        var paths = (int)reader.Number("--paths", 5, 0, 100);
        var skip = reader.Text("--skip");
        reader.RejectUnknown();
        if (reader.Positional.Count != 2)
        {
            throw new UsageException("heapdiff needs two dump files");
        }

        var before = Census(reader.Positional[0], skip, cancellation);
        var after = Census(reader.Positional[1], skip, cancellation);
        Console.WriteLine($"before: {before.Values.Sum(v => v.Count):N0} objects, {before.Values.Sum(v => v.Bytes):N0} bytes reachable ({reader.Positional[0]})");
        Console.WriteLine($"after:  {after.Values.Sum(v => v.Count):N0} objects, {after.Values.Sum(v => v.Bytes):N0} bytes reachable ({reader.Positional[1]})");
        var changes = after.Keys.Union(before.Keys)
            .Select(type => (Type: type, Count: after.GetValueOrDefault(type).Count - before.GetValueOrDefault(type).Count, Bytes: after.GetValueOrDefault(type).Bytes - before.GetValueOrDefault(type).Bytes))
            .Where(c => c.Bytes != 0 || c.Count != 0)
            .OrderByDescending(c => Math.Abs(c.Bytes))
            .ToList();
        Console.WriteLine("bytes        objects  type (largest changes)");
        foreach (var (type, count, bytes) in changes.Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes,12:+#,0;-#,0;0} {count,8:+#,0;-#,0;0}  {type}"));
        }

        // The OpenTelemetry SDK keeps a metric point's attribute array after the point is reclaimed
        // (its series went away) until the slot is reused, and reuses slots first in, first out: so
        // slots holding attributes grow with series churn up to the instrument's cardinality limit.
        var slotsBefore = MetricSlots(reader.Positional[0]);
        var slotsAfter = MetricSlots(reader.Positional[1]);
        Console.WriteLine("OpenTelemetry metric points holding an attribute array, by instrument (before -> after, of slots):");
        foreach (var (instrument, (slots, holding)) in slotsAfter.Where(s => s.Value.Holding != slotsBefore.GetValueOrDefault(s.Key).Holding))
        {
            Console.WriteLine($"  {instrument}: {slotsBefore.GetValueOrDefault(instrument).Holding:N0} -> {holding:N0} of {slots:N0}");
        }

        var grown = changes.Where(c => c.Bytes > 0).Take(paths).Select(c => c.Type).ToHashSet(StringComparer.Ordinal);
        if (grown.Count > 0)
        {
            PrintPaths(reader.Positional[1], grown, skip, cancellation);
        }

        return 0;
    }

    private static Dictionary<string, (long Count, long Bytes)> Census(string path, string? skip, CancellationToken cancellation)
    {
        using var target = DataTarget.LoadDump(path);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var heap = runtime.Heap;
        var result = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        var seen = new HashSet<ulong>();
        var pending = new Stack<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.Address != 0 && seen.Add(root.Object.Address)) pending.Push(root.Object.Address);
        }

        while (pending.TryPop(out var address))
        {
            cancellation.ThrowIfCancellationRequested();
            var item = heap.GetObject(address);
            if (!item.IsValid) continue;
            var type = item.Type?.Name ?? "(unknown type)";
            var (count, bytes) = result.GetValueOrDefault(type);
            result[type] = (count + 1, bytes + (long)item.Size);
            if (skip is not null && type.StartsWith(skip, StringComparison.Ordinal)) continue;
            foreach (var reference in item.EnumerateReferences(carefully: true, considerDependantHandles: true))
            {
                if (seen.Add(reference.Address)) pending.Push(reference.Address);
            }
        }

        return result;
    }

    // Reads SDK internals (OpenTelemetry 1.20: Metric.AggregatorStore.metricPoints, MetricPoint.Tags):
    // a diagnostic that names what it cannot read rather than failing the comparison.
    private static SortedDictionary<string, (long Slots, long Holding)> MetricSlots(string path)
    {
        using var target = DataTarget.LoadDump(path);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var result = new SortedDictionary<string, (long Slots, long Holding)>(StringComparer.Ordinal);
        foreach (var metric in runtime.Heap.EnumerateObjects().Where(o => o.Type?.Name == "OpenTelemetry.Metrics.Metric"))
        {
            try
            {
                var name = metric.ReadValueTypeField("<InstrumentIdentity>k__BackingField").ReadObjectField("<InstrumentName>k__BackingField").AsString() ?? "?";
                var points = metric.ReadObjectField("AggregatorStore").ReadObjectField("metricPoints").AsArray();
                long holding = 0;
                for (var i = 0; i < points.Length; i++)
                {
                    if (!points.GetStructValue(i).ReadValueTypeField("<Tags>k__BackingField").ReadObjectField("KeyAndValues").IsNull) holding++;
                }

                var (slots, held) = result.GetValueOrDefault(name);
                result[name] = (slots + points.Length, held + holding);
            }
            catch (ArgumentException e)
            {
                result[$"(unreadable: {e.Message})"] = (0, 0);
            }
        }

        return result;
    }

    // Breadth-first from the roots, so each object's recorded parent lies on a shortest path.
    private static void PrintPaths(string path, HashSet<string> types, string? skip, CancellationToken cancellation)
    {
        using var target = DataTarget.LoadDump(path);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var heap = runtime.Heap;
        var parent = new Dictionary<ulong, ulong>();
        var roots = new Dictionary<ulong, string>();
        var queue = new Queue<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            var address = root.Object.Address;
            if (address == 0 || !parent.TryAdd(address, 0)) continue;
            roots[address] = root.RootKind.ToString();
            queue.Enqueue(address);
        }

        var found = types.ToDictionary(t => t, _ => new List<ulong>(), StringComparer.Ordinal);
        while (queue.TryDequeue(out var address))
        {
            cancellation.ThrowIfCancellationRequested();
            var item = heap.GetObject(address);
            if (!item.IsValid) continue;
            var type = item.Type?.Name ?? "(unknown type)";
            if (found.TryGetValue(type, out var list)) list.Add(address);
            if (skip is not null && type.StartsWith(skip, StringComparison.Ordinal)) continue;
            foreach (var reference in item.EnumerateReferences(carefully: true, considerDependantHandles: true))
            {
                if (parent.TryAdd(reference.Address, address)) queue.Enqueue(reference.Address);
            }
        }

        var random = new Random(1);
        foreach (var (type, addresses) in found)
        {
            Console.WriteLine($"\n{type}: {addresses.Count:N0} reachable in the second dump; root paths of a sample of {Math.Min(200, addresses.Count)}:");
            var chains = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var address in addresses.OrderBy(_ => random.Next()).Take(200))
            {
                var chain = new List<string>();
                var at = address;
                for (; parent[at] != 0; at = parent[at]) chain.Add(heap.GetObject(at).Type?.Name ?? "?");
                chain.Add(heap.GetObject(at).Type?.Name ?? "?");
                chain.Add($"({roots.GetValueOrDefault(at, "root")})");
                chain.Reverse();
                var key = string.Join(" -> ", chain.Take(10)) + (chain.Count > 10 ? " -> ..." : "");
                chains[key] = chains.GetValueOrDefault(key) + 1;
            }

            foreach (var (chain, count) in chains.OrderByDescending(c => c.Value).Take(4))
            {
                Console.WriteLine($"  {count,4} x {chain}");
            }
        }
    }
}
