namespace TcpState.Exposition;

/// <summary>
/// Assembles families from converted metrics so that the exposition never declares a name twice
/// or with two types. Metrics of the same name and type are merged into one family (e.g. the same
/// instrument name in two meters); a metric whose names collide with an earlier metric of another
/// type is dropped, and the first one wins. "Names" here are every name a family puts on the wire:
/// a counter <c>foo</c> also claims <c>foo_total</c>, a histogram <c>foo</c> also claims
/// <c>foo_bucket</c>, <c>foo_sum</c> and <c>foo_count</c>, so a gauge <c>foo_count</c> conflicts with it.
/// </summary>
internal sealed class MetricFamilySetBuilder
{
    private readonly Dictionary<string, PendingFamily> families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingFamily> claimedNames = new(StringComparer.Ordinal);
    private readonly List<PendingFamily> order = [];

    /// <summary>Adds a metric, or reports why it conflicts with an earlier one.</summary>
    /// <param name="metric">The converted metric.</param>
    /// <param name="conflict">When the metric is dropped, a description of the conflict.</param>
    /// <returns><see langword="true"/> when the metric was added or merged; <see langword="false"/> when dropped.</returns>
    public bool TryAdd(ConvertedMetric metric, out string? conflict)
    {
        if (this.families.TryGetValue(metric.Name, out var existing))
        {
            if (existing.Type == metric.Type)
            {
                existing.Merge(metric);
                conflict = null;
                return true;
            }

            conflict = DescribeConflict(metric, existing);
            return false;
        }

        var claims = GetClaimedNames(metric.Name, metric.Type);
        foreach (var claim in claims)
        {
            if (this.claimedNames.TryGetValue(claim, out var owner))
            {
                conflict = DescribeConflict(metric, owner);
                return false;
            }
        }

        var family = new PendingFamily(metric);
        foreach (var claim in claims)
        {
            this.claimedNames.Add(claim, family);
        }

        this.families.Add(metric.Name, family);
        this.order.Add(family);
        conflict = null;
        return true;
    }

    /// <summary>Builds the families in the order they were first added.</summary>
    /// <param name="duplicateSeriesDropped">Series dropped because a merged metric repeated a label set.</param>
    /// <returns>The families.</returns>
    public List<MetricFamily> Build(out int duplicateSeriesDropped)
    {
        var result = new List<MetricFamily>(this.order.Count);
        duplicateSeriesDropped = 0;
        foreach (var pending in this.order)
        {
            var family = new MetricFamily(pending.Name, pending.Type, pending.Help, pending.Unit, pending.Samples);
            duplicateSeriesDropped += family.DroppedDuplicateSampleCount;
            result.Add(family);
        }

        return result;
    }

    private static string[] GetClaimedNames(string name, MetricFamilyType type) => type switch
    {
        MetricFamilyType.Counter => [name, name + "_total"],
        MetricFamilyType.Histogram => [name, name + "_bucket", name + "_sum", name + "_count"],
        _ => [name],
    };

    private static string DescribeConflict(ConvertedMetric dropped, PendingFamily owner) =>
        $"Metric '{dropped.Source}' maps to Prometheus {dropped.Type.ToString().ToLowerInvariant()} '{dropped.Name}', " +
        $"whose names collide with {owner.Type.ToString().ToLowerInvariant()} '{owner.Name}' from '{owner.Source}'; " +
        "the later metric is dropped from the exposition.";

    private sealed class PendingFamily(ConvertedMetric first)
    {
        public string Source { get; } = first.Source;

        public string Name { get; } = first.Name;

        public MetricFamilyType Type { get; } = first.Type;

        public string Help { get; private set; } = first.Help;

        public string Unit { get; private set; } = first.Unit;

        public List<MetricSample> Samples { get; } = [.. first.Samples];

        public void Merge(ConvertedMetric other)
        {
            // Metadata from the first metric that has it, as the official exporter does.
            if (this.Help.Length == 0)
            {
                this.Help = other.Help;
            }

            if (this.Unit.Length == 0)
            {
                this.Unit = other.Unit;
            }

            this.Samples.AddRange(other.Samples);
        }
    }
}
