namespace TcpState.Exposition;

/// <summary>One series of a <see cref="MetricFamily"/>: a label set and either a value or a histogram.</summary>
/// <remarks>
/// Labels are normalized on construction so that the serializer can write them as they are:
/// names are sanitized to <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, sorted ordinally, and labels whose
/// names collide after sanitizing are merged into one whose values are joined with <c>;</c>
/// in the ordinal order of the original names (the OpenTelemetry rule for colliding keys).
/// </remarks>
public sealed class MetricSample
{
    internal const string HistogramBoundLabelName = "le";

    private readonly MetricLabel[] labels;

    /// <summary>Initializes a gauge or counter sample.</summary>
    /// <param name="labels">The labels of the series.</param>
    /// <param name="value">The sample value.</param>
    public MetricSample(IReadOnlyList<MetricLabel> labels, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        this.labels = PrometheusNaming.NormalizeLabels(labels, reservedName: null);
        this.Value = value;
    }

    /// <summary>Initializes a histogram sample.</summary>
    /// <param name="labels">The labels of the series; a label named <c>le</c> is dropped because the bucket bound uses it.</param>
    /// <param name="histogram">The histogram value.</param>
    public MetricSample(IReadOnlyList<MetricLabel> labels, MetricHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(histogram);
        this.labels = PrometheusNaming.NormalizeLabels(labels, HistogramBoundLabelName);
        this.Histogram = histogram;
        this.Value = histogram.Count;
    }

    private MetricSample(MetricLabel[] normalizedLabels, double value, MetricHistogram? histogram)
    {
        this.labels = normalizedLabels;
        this.Value = value;
        this.Histogram = histogram;
    }

    /// <summary>Gets the normalized labels, sorted by name.</summary>
    public IReadOnlyList<MetricLabel> Labels => this.labels;

    /// <summary>Gets the value of a gauge or counter sample; for a histogram sample, its count.</summary>
    public double Value { get; }

    /// <summary>Gets the histogram value, or <see langword="null"/> for gauge and counter samples.</summary>
    public MetricHistogram? Histogram { get; }

    internal ReadOnlySpan<MetricLabel> LabelSpan => this.labels;

    /// <summary>
    /// Creates a gauge or counter sample from labels that <see cref="PrometheusNaming.NormalizeLabels"/>
    /// already normalized, so that series kept between collections are not normalized again on every scrape.
    /// </summary>
    internal static MetricSample FromNormalized(MetricLabel[] normalizedLabels, double value) => new(normalizedLabels, value, null);

    /// <summary>Creates a histogram sample from labels normalized without <c>le</c>.</summary>
    internal static MetricSample FromNormalized(MetricLabel[] normalizedLabels, MetricHistogram histogram) =>
        new(normalizedLabels, histogram.Count, histogram);

    /// <summary>Orders samples by label set: label by label (name, then value, ordinal), shorter sets first.</summary>
    internal static int CompareLabelSets(MetricSample left, MetricSample right) =>
        LabelSetComparer.Compare(left.labels, right.labels);
}
