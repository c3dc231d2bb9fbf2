using System.Buffers;

namespace TcpState.Exposition;

/// <summary>
/// Writes <see cref="MetricFamily"/> lists as Prometheus text format 0.0.4 or OpenMetrics 1.0.0,
/// following the rules of the official OpenTelemetry .NET Prometheus exporter: families sorted by
/// name, metadata once per family, no timestamps, invariant shortest round-trip numbers.
/// </summary>
public static class PrometheusTextSerializer
{
    /// <summary>The content type of Prometheus text format 0.0.4.</summary>
    public const string PrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The content type of OpenMetrics 1.0.0.</summary>
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>Gets the HTTP content type of <paramref name="format"/>.</summary>
    /// <param name="format">The exposition format.</param>
    /// <returns>The content type, including version and charset.</returns>
    public static string GetContentType(ExpositionFormat format) =>
        format == ExpositionFormat.OpenMetrics ? OpenMetricsContentType : PrometheusTextContentType;

    /// <summary>Serializes <paramref name="families"/> into a new array.</summary>
    /// <param name="families">The families; order does not matter.</param>
    /// <param name="format">The exposition format.</param>
    /// <returns>The UTF-8 encoded exposition.</returns>
    public static byte[] Serialize(IReadOnlyList<MetricFamily> families, ExpositionFormat format)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        Write(buffer, families, format);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="families"/> to <paramref name="destination"/>.</summary>
    /// <param name="destination">The buffer to write UTF-8 text to.</param>
    /// <param name="families">
    /// The families; they are written sorted by name. Family names are expected to be unique;
    /// should two share a name, only the first (in list order) is written, so the output never
    /// declares one family twice or with two types.
    /// </param>
    /// <param name="format">The exposition format.</param>
    public static void Write(IBufferWriter<byte> destination, IReadOnlyList<MetricFamily> families, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(families);

        var openMetrics = format == ExpositionFormat.OpenMetrics;
        var ordered = OrderByName(families);
        var writer = new Utf8ExpositionWriter(destination);
        string? previousName = null;
        foreach (var family in ordered)
        {
            if (family.Name == previousName)
            {
                continue;
            }

            previousName = family.Name;
            WriteFamily(ref writer, family, openMetrics);
        }

        if (openMetrics)
        {
            writer.WriteAscii("# EOF\n"u8);
        }

        writer.Flush();
    }

    private static MetricFamily[] OrderByName(IReadOnlyList<MetricFamily> families)
    {
        // The index tie-break makes the sort stable, so "first wins" for duplicate names.
        var indexed = new (MetricFamily Family, int Index)[families.Count];
        for (var i = 0; i < indexed.Length; i++)
        {
            indexed[i] = (families[i] ?? throw new ArgumentException("Families must not be null.", nameof(families)), i);
        }

        Array.Sort(indexed, static (x, y) =>
        {
            var result = string.CompareOrdinal(x.Family.Name, y.Family.Name);
            return result != 0 ? result : x.Index.CompareTo(y.Index);
        });

        var ordered = new MetricFamily[indexed.Length];
        for (var i = 0; i < indexed.Length; i++)
        {
            ordered[i] = indexed[i].Family;
        }

        return ordered;
    }

    private static void WriteFamily(ref Utf8ExpositionWriter writer, MetricFamily family, bool openMetrics)
    {
        // Prometheus 0.0.4 has no counter suffix handling, so its metadata names the samples
        // (foo_total); OpenMetrics names the family (foo) and the samples carry _total.
        var metadataSuffix = family.Type == MetricFamilyType.Counter && !openMetrics ? "_total"u8 : default;

        if (family.Help.Length > 0)
        {
            writer.WriteAscii("# HELP "u8);
            writer.WriteName(family.Name);
            writer.WriteAscii(metadataSuffix);
            writer.WriteByte((byte)' ');
            writer.WriteHelp(family.Help, openMetrics);
            writer.WriteByte((byte)'\n');
        }

        writer.WriteAscii("# TYPE "u8);
        writer.WriteName(family.Name);
        writer.WriteAscii(metadataSuffix);
        writer.WriteAscii(family.Type switch
        {
            MetricFamilyType.Counter => " counter\n"u8,
            MetricFamilyType.Histogram => " histogram\n"u8,
            _ => " gauge\n"u8,
        });

        if (openMetrics && family.HasUnitSuffix)
        {
            writer.WriteAscii("# UNIT "u8);
            writer.WriteName(family.Name);
            writer.WriteByte((byte)' ');
            writer.WriteName(family.Unit);
            writer.WriteByte((byte)'\n');
        }

        if (family.Type == MetricFamilyType.Histogram)
        {
            foreach (var sample in family.SampleSpan)
            {
                WriteHistogramSample(ref writer, family.Name, sample, openMetrics);
            }

            return;
        }

        var sampleSuffix = family.Type == MetricFamilyType.Counter ? "_total"u8 : default;
        foreach (var sample in family.SampleSpan)
        {
            writer.WriteName(family.Name);
            writer.WriteAscii(sampleSuffix);
            WriteLabels(ref writer, sample.LabelSpan);
            writer.WriteByte((byte)' ');
            writer.WriteDouble(sample.Value);
            writer.WriteByte((byte)'\n');
        }
    }

    private static void WriteHistogramSample(ref Utf8ExpositionWriter writer, string name, MetricSample sample, bool openMetrics)
    {
        var histogram = sample.Histogram!;
        var labels = sample.LabelSpan;
        var hasInfinityBucket = false;
        var hasNegativeBound = false;
        foreach (var bucket in histogram.BucketSpan)
        {
            hasInfinityBucket |= double.IsPositiveInfinity(bucket.UpperBound);
            hasNegativeBound |= bucket.UpperBound < 0;
            WriteBucket(ref writer, name, labels, bucket.UpperBound, bucket.CumulativeCount);
        }

        if (!hasInfinityBucket)
        {
            WriteBucket(ref writer, name, labels, double.PositiveInfinity, histogram.Count);
        }

        // OpenMetrics: a histogram with negative bucket bounds MUST NOT expose _sum (nor _count).
        if (openMetrics && hasNegativeBound)
        {
            return;
        }

        writer.WriteName(name);
        writer.WriteAscii("_sum"u8);
        WriteLabels(ref writer, labels);
        writer.WriteByte((byte)' ');
        writer.WriteDouble(histogram.Sum);
        writer.WriteByte((byte)'\n');

        writer.WriteName(name);
        writer.WriteAscii("_count"u8);
        WriteLabels(ref writer, labels);
        writer.WriteByte((byte)' ');
        writer.WriteLong(histogram.Count);
        writer.WriteByte((byte)'\n');
    }

    private static void WriteBucket(ref Utf8ExpositionWriter writer, string name, ReadOnlySpan<MetricLabel> labels, double upperBound, long cumulativeCount)
    {
        writer.WriteName(name);
        writer.WriteAscii("_bucket{"u8);
        foreach (var label in labels)
        {
            WriteLabel(ref writer, label);
            writer.WriteByte((byte)',');
        }

        writer.WriteAscii("le=\""u8);
        writer.WriteCanonicalBound(upperBound);
        writer.WriteAscii("\"} "u8);
        writer.WriteLong(cumulativeCount);
        writer.WriteByte((byte)'\n');
    }

    private static void WriteLabels(ref Utf8ExpositionWriter writer, ReadOnlySpan<MetricLabel> labels)
    {
        if (labels.IsEmpty)
        {
            return;
        }

        writer.WriteByte((byte)'{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                writer.WriteByte((byte)',');
            }

            WriteLabel(ref writer, labels[i]);
        }

        writer.WriteByte((byte)'}');
    }

    private static void WriteLabel(ref Utf8ExpositionWriter writer, MetricLabel label)
    {
        // MetricSample has already sanitized the name, so it is plain ASCII.
        writer.WriteName(label.Name);
        writer.WriteAscii("=\""u8);
        writer.WriteLabelValue(label.Value);
        writer.WriteByte((byte)'"');
    }
}
