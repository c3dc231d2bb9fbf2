namespace TcpState.Exposition;

/// <summary>
/// A Prometheus metric family: a name, a type, help and unit metadata, and its series.
/// This is the neutral model between the OpenTelemetry bridge and the text serializer.
/// </summary>
public sealed class MetricFamily
{
    private readonly MetricSample[] samples;

    /// <summary>Initializes a new metric family.</summary>
    /// <param name="name">
    /// The Prometheus family name (<c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>). For counters this is the name
    /// without <c>_total</c>; a trailing <c>_total</c> is removed because the serializer appends it to samples.
    /// </param>
    /// <param name="type">The Prometheus type.</param>
    /// <param name="help">The help text; <see langword="null"/> or empty omits the <c># HELP</c> line.</param>
    /// <param name="unit">
    /// The Prometheus unit word (e.g. <c>seconds</c>, <c>bytes</c>); written as OpenMetrics
    /// <c># UNIT</c> only when the family name ends with <c>_</c> and the unit.
    /// </param>
    /// <param name="samples">
    /// The series. They are ordered by label set for stable output; a later sample with the same
    /// label set as an earlier one is dropped (see <see cref="DroppedDuplicateSampleCount"/>).
    /// </param>
    public MetricFamily(string name, MetricFamilyType type, string? help, string? unit, IReadOnlyList<MetricSample> samples)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(samples);
        if (!PrometheusNaming.IsValidMetricName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus metric name.", nameof(name));
        }

        if (type is not (MetricFamilyType.Gauge or MetricFamilyType.Counter or MetricFamilyType.Histogram))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown metric family type.");
        }

        this.Name = type == MetricFamilyType.Counter ? PrometheusNaming.TrimTotalSuffix(name) : name;
        this.Type = type;
        this.Help = help ?? string.Empty;
        this.Unit = string.IsNullOrEmpty(unit) ? string.Empty : PrometheusNaming.SanitizeUnit(unit);
        this.samples = OrderAndDeduplicate(samples, type == MetricFamilyType.Histogram, out var dropped);
        this.DroppedDuplicateSampleCount = dropped;
    }

    /// <summary>Gets the family name (for counters, without <c>_total</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the Prometheus type.</summary>
    public MetricFamilyType Type { get; }

    /// <summary>Gets the help text, or an empty string.</summary>
    public string Help { get; }

    /// <summary>Gets the Prometheus unit, or an empty string.</summary>
    public string Unit { get; }

    /// <summary>Gets the series ordered by label set.</summary>
    public IReadOnlyList<MetricSample> Samples => this.samples;

    /// <summary>Gets how many samples were dropped because an earlier sample had the same label set.</summary>
    public int DroppedDuplicateSampleCount { get; }

    internal ReadOnlySpan<MetricSample> SampleSpan => this.samples;

    /// <summary>Gets whether the OpenMetrics <c># UNIT</c> line applies: the name must end with the unit.</summary>
    internal bool HasUnitSuffix =>
        this.Unit.Length > 0
        && this.Name.Length > this.Unit.Length
        && this.Name.EndsWith(this.Unit, StringComparison.Ordinal)
        && this.Name[^(this.Unit.Length + 1)] == '_';

    private static MetricSample[] OrderAndDeduplicate(IReadOnlyList<MetricSample> samples, bool histogram, out int dropped)
    {
        // Sort (sample, original index) so that equal label sets keep their input order and "first wins".
        var indexed = new (MetricSample Sample, int Index)[samples.Count];
        for (var i = 0; i < indexed.Length; i++)
        {
            var sample = samples[i] ?? throw new ArgumentException("Samples must not be null.", nameof(samples));
            if ((sample.Histogram is not null) != histogram)
            {
                throw new ArgumentException(
                    histogram ? "Histogram families need histogram samples." : "Only histogram families take histogram samples.",
                    nameof(samples));
            }

            indexed[i] = (sample, i);
        }

        Array.Sort(indexed, static (x, y) =>
        {
            var result = MetricSample.CompareLabelSets(x.Sample, y.Sample);
            return result != 0 ? result : x.Index.CompareTo(y.Index);
        });

        var ordered = new MetricSample[indexed.Length];
        var count = 0;
        for (var i = 0; i < indexed.Length; i++)
        {
            if (count > 0 && MetricSample.CompareLabelSets(ordered[count - 1], indexed[i].Sample) == 0)
            {
                continue;
            }

            ordered[count++] = indexed[i].Sample;
        }

        dropped = indexed.Length - count;
        if (count != ordered.Length)
        {
            Array.Resize(ref ordered, count);
        }

        return ordered;
    }
}
