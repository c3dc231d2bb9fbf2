using System.Globalization;
using TcpState.Exposition;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Fuzz cases for <see cref="PrometheusTextSerializer"/>: hostile families (<see cref="ExpositionCaseModel"/>)
/// written in both formats, read back by <see cref="StrictExpositionParser"/> and compared with
/// what went in, label value by label value. The 0.0.4 text is handed back so that the caller can
/// batch it through <c>promtool check metrics</c>.
/// </summary>
public sealed class ExpositionFuzzer
{
    private ExpositionCaseModel? _model;

    public string Kind => "exposition/families";

    /// <summary>Runs one case; returns the Prometheus 0.0.4 text for promtool.</summary>
    public byte[] Run(FuzzRandom rng, long caseIndex)
    {
        _model = ExpositionCaseModel.Generate(rng, caseIndex);
        var text = PrometheusTextSerializer.Serialize(_model.Families, ExpositionFormat.PrometheusText);
        Compare(_model, StrictExpositionParser.Parse(text, openMetrics: false), openMetrics: false);
        var openMetricsText = PrometheusTextSerializer.Serialize(_model.Families, ExpositionFormat.OpenMetrics);
        Compare(_model, StrictExpositionParser.Parse(openMetricsText, openMetrics: true), openMetrics: true);
        if (rng.OneIn(4))
        {
            var stingy = new StingyBufferWriter();
            PrometheusTextSerializer.Write(stingy, _model.Families, ExpositionFormat.OpenMetrics);
            FuzzPropertyException.Check(stingy.ToArray().AsSpan().SequenceEqual(openMetricsText),
                "the output written into exactly-sized chunks differs from the output written into a growing buffer");
        }

        return text;
    }

    public string DescribeInput() => _model is null ? "" :
        $"PrometheusTextSerializer.Serialize(families, format) with families =\n[\n{_model.Code()}]\n";

    private static void Compare(ExpositionCaseModel model, List<ParsedFamily> parsed, bool openMetrics)
    {
        var format = openMetrics ? "OpenMetrics" : "0.0.4";
        FuzzPropertyException.Check(parsed.Count == model.Expected.Count, $"{format}: {parsed.Count} families written, expected {model.Expected.Count}");
        for (var f = 0; f < parsed.Count; f++)
        {
            var expected = model.Expected[f];
            var actual = parsed[f];
            var what = $"{format} family {expected.Name}";
            var typeName = expected.Type switch
            {
                MetricFamilyType.Counter => "counter",
                MetricFamilyType.Histogram => "histogram",
                _ => "gauge",
            };
            var declaredName = expected.Type == MetricFamilyType.Counter && !openMetrics ? expected.Name + "_total" : expected.Name;
            FuzzPropertyException.Check(actual.Name == declaredName, $"{what}: declared as {actual.Name} (families must come sorted by name)");
            FuzzPropertyException.Check(actual.Type == typeName, $"{what}: type {actual.Type}");
            FuzzPropertyException.Check(actual.Help == expected.Help, $"{what}: help read back as {FuzzFormat.Literal(actual.Help)}, expected {FuzzFormat.Literal(expected.Help)}");
            var unit = openMetrics ? expected.Unit : null;
            FuzzPropertyException.Check(actual.Unit == unit, $"{what}: unit {actual.Unit ?? "none"}, expected {unit ?? "none"}");
            if (expected.Type == MetricFamilyType.Histogram)
            {
                CompareHistograms(expected, actual, openMetrics, what);
            }
            else
            {
                var sampleName = expected.Type == MetricFamilyType.Counter ? expected.Name + "_total" : expected.Name;
                FuzzPropertyException.Check(actual.Samples.Count == expected.Samples.Count, $"{what}: {actual.Samples.Count} samples, expected {expected.Samples.Count}");
                for (var s = 0; s < expected.Samples.Count; s++)
                {
                    CompareSample(expected.Samples[s].Labels, sampleName, expected.Samples[s].Value, actual.Samples[s], $"{what} sample {s}");
                }
            }
        }
    }

    private static void CompareHistograms(ExpectedFamily expected, ParsedFamily actual, bool openMetrics, string what)
    {
        var line = 0;
        foreach (var sample in expected.Samples)
        {
            var histogram = sample.Histogram!;
            var hasInfinity = false;
            var hasNegative = false;
            foreach (var bucket in histogram.Buckets)
            {
                hasInfinity |= double.IsPositiveInfinity(bucket.UpperBound);
                hasNegative |= bucket.UpperBound < 0;
                CompareBucket(expected.Name, sample.Labels, bucket.UpperBound, bucket.CumulativeCount, Next(actual, ref line, what), what);
            }

            if (!hasInfinity)
            {
                CompareBucket(expected.Name, sample.Labels, double.PositiveInfinity, histogram.Count, Next(actual, ref line, what), what);
            }

            // OpenMetrics forbids _sum (and so _count here) when a bucket bound is negative.
            if (openMetrics && hasNegative)
            {
                continue;
            }

            CompareSample(sample.Labels, expected.Name + "_sum", histogram.Sum, Next(actual, ref line, what), $"{what} _sum");
            var count = Next(actual, ref line, what);
            CompareSample(sample.Labels, expected.Name + "_count", histogram.Count, count, $"{what} _count");
            FuzzPropertyException.Check(count.ValueText == histogram.Count.ToString(CultureInfo.InvariantCulture), $"{what}: _count written as {count.ValueText}");
        }

        FuzzPropertyException.Check(line == actual.Samples.Count, $"{what}: {actual.Samples.Count - line} unexpected lines after the histograms");
    }

    private static ParsedSample Next(ParsedFamily family, ref int line, string what)
    {
        FuzzPropertyException.Check(line < family.Samples.Count, $"{what}: histogram lines missing after line {line}");
        return family.Samples[line++];
    }

    private static void CompareBucket(string family, IReadOnlyList<(string Name, string Value)> labels, double bound, long count, ParsedSample actual, string what)
    {
        FuzzPropertyException.Check(actual.Name == family + "_bucket", $"{what}: expected a bucket, got {actual.Name}");
        FuzzPropertyException.Check(actual.Labels.Count == labels.Count + 1 && actual.Labels[^1].Name == "le", $"{what}: bucket labels {Describe(actual.Labels)}");
        CompareLabels(labels, actual.Labels.Take(labels.Count).ToList(), what);
        var le = actual.Labels[^1].Value;

        // Canonical (OpenMetrics) form: a finite bound always has a '.' or an exponent, so le is the
        // same string whichever format was negotiated.
        FuzzPropertyException.Check(StrictExpositionParser.IsNumber(le) && (le is "+Inf" or "-Inf" || le.Contains('.', StringComparison.Ordinal) || le.Contains('E', StringComparison.Ordinal)),
            $"{what}: le=\"{le}\" is not a canonical number");
        FuzzPropertyException.Check(SameDouble(ParseNumber(le), bound), $"{what}: le=\"{le}\" for bound {FuzzFormat.Double(bound)}");
        FuzzPropertyException.Check(actual.ValueText == count.ToString(CultureInfo.InvariantCulture), $"{what}: bucket count {actual.ValueText}, expected {count}");
    }

    private static void CompareSample(IReadOnlyList<(string Name, string Value)> labels, string name, double value, ParsedSample actual, string what)
    {
        FuzzPropertyException.Check(actual.Name == name, $"{what}: name {actual.Name}, expected {name}");
        CompareLabels(labels, actual.Labels, what);
        FuzzPropertyException.Check(SameDouble(ParseNumber(actual.ValueText), value), $"{what}: value {actual.ValueText}, expected {FuzzFormat.Double(value)}");
    }

    private static void CompareLabels(IReadOnlyList<(string Name, string Value)> expected, IReadOnlyList<(string Name, string Value)> actual, string what)
    {
        FuzzPropertyException.Check(expected.Count == actual.Count, $"{what}: labels {Describe(actual)}, expected {Describe(expected)}");
        for (var i = 0; i < expected.Count; i++)
        {
            FuzzPropertyException.Check(expected[i].Name == actual[i].Name && expected[i].Value == actual[i].Value,
                $"{what}: label {i} read back as {actual[i].Name}={FuzzFormat.Literal(actual[i].Value)}, expected {expected[i].Name}={FuzzFormat.Literal(expected[i].Value)}");
        }
    }

    private static string Describe(IReadOnlyList<(string Name, string Value)> labels) =>
        "{" + string.Join(",", labels.Select(l => $"{l.Name}={FuzzFormat.Literal(l.Value)}")) + "}";

    private static double ParseNumber(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    // Bit for bit (so -0 stays -0), except that every NaN is a NaN.
    private static bool SameDouble(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);
}
