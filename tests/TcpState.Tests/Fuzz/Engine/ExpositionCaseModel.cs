using System.Globalization;
using System.Text;
using TcpState.Exposition;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// A random set of metric families with hostile label values and help, and the exposition they
/// must produce, worked out from the documented rules rather than by the writer's code: counter
/// names lose <c>_total</c>; label names are sanitized (by the library's public sanitizer), sorted,
/// and colliding ones merged with <c>;</c> in ordinal order of the original names; a histogram's own
/// <c>le</c> label is dropped; lone surrogates become U+FFFD; a repeated label set keeps its first
/// sample; series are ordered by label set. Names are unique per case (they carry the case index)
/// and free of what promtool's linter flags, so many cases can share one promtool run.
/// </summary>
public sealed class ExpositionCaseModel
{
    private static readonly string[] Words =
        ["alpha", "bravo", "charlie", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "lima", "oscar", "papa", "romeo", "sierra", "tango", "victor"];

    // Label names as an instrument could give them; "a-b", "a.b" and "a_b" collide after sanitizing,
    // and "__name__" is reserved by the text format (the sanitizer must move it out of the way).
    private static readonly string[] LabelNames =
        ["state", "role", "port", "process", "pid", "reason", "source", "version", "address", "otel.scope.name", "9lives", "a-b", "a.b", "a_b", "", "x y", "\u00fcn\u00ef", "_", "__name__", "__meta_x"];

    private static readonly double[] Bounds =
        [double.MinValue, -1e300, -5, -1, -0.5, -0.0, 1e-9, 0.001, 0.1, 0.25, 1, 2.5, 10, 1e20, double.MaxValue, double.PositiveInfinity];

    private ExpositionCaseModel()
    {
    }

    public List<MetricFamily> Families { get; } = [];

    /// <summary>The families in output order (by name).</summary>
    public List<ExpectedFamily> Expected { get; } = [];

    // The inputs as given (before MetricLabel repairs lone surrogates), for the failure report.
    private readonly List<(string Name, MetricFamilyType Type, string Help, string? Unit, List<(List<(string Name, string Value)> Labels, double Value, MetricHistogram? Histogram)> Samples)> _inputs = [];

    public static ExpositionCaseModel Generate(FuzzRandom rng, long caseIndex)
    {
        var model = new ExpositionCaseModel();
        var count = rng.Between(1, 5);
        for (var k = 0; k < count; k++)
        {
            model.AddFamily(rng, $"fuzz_c{caseIndex.ToString(CultureInfo.InvariantCulture)}_{rng.Pick(Words)}{k}");
        }

        model.Expected.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return model;
    }

    /// <summary>C# that builds <see cref="Families"/> from the very inputs this case used, for the failure report.</summary>
    public string Code()
    {
        var code = new StringBuilder();
        foreach (var (name, type, help, unit, samples) in _inputs)
        {
            code.Append(CultureInfo.InvariantCulture, $"new MetricFamily({FuzzFormat.Literal(name)}, MetricFamilyType.{type}, {FuzzFormat.Literal(help)}, {FuzzFormat.Literal(unit)}, [\n");
            foreach (var (labels, value, histogram) in samples)
            {
                var labelCode = string.Join(", ", labels.Select(l => $"new MetricLabel({FuzzFormat.Literal(l.Name)}, {FuzzFormat.Literal(l.Value)})"));
                var valueCode = histogram is null
                    ? FuzzFormat.Double(value)
                    : $"new MetricHistogram([{string.Join(", ", histogram.Buckets.Select(b => $"new MetricHistogramBucket({FuzzFormat.Double(b.UpperBound)}, {b.CumulativeCount})"))}], {FuzzFormat.Double(histogram.Sum)}, {histogram.Count})";
                code.Append(CultureInfo.InvariantCulture, $"    new MetricSample([{labelCode}], {valueCode}),\n");
            }

            code.Append("]),\n");
        }

        return code.ToString();
    }

    /// <summary>A sample value: the boundaries of double, integers, fractions and arbitrary bit patterns.</summary>
    public static double Value(FuzzRandom rng) => rng.Below(14) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => -0.0,
        4 => rng.Pick<double>([double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308]),
        5 => rng.Pick<double>([0.1, 1.0 / 3, 1e20, 1e21, 1e-5, 123456789012345678, 9007199254740993, 0.30000000000000004]),
        6 or 7 => BitConverter.Int64BitsToDouble((long)rng.NextUInt64()),
        8 or 9 => rng.Below(1000),
        10 => -rng.Below(100000),
        _ => (rng.NextUInt32() / 1000.0) - 2e6,
    };

    private void AddFamily(FuzzRandom rng, string name)
    {
        var type = rng.Below(10) switch
        {
            < 4 => MetricFamilyType.Gauge,
            < 7 => MetricFamilyType.Counter,
            _ => MetricFamilyType.Histogram,
        };

        // A unit is printed (OpenMetrics # UNIT) only when the name ends with it.
        string? unit = null;
        if (rng.OneIn(4))
        {
            unit = rng.Coin() ? "seconds" : "bytes";
            if (rng.Below(3) != 0) name += "_" + unit;
        }

        var inputName = type == MetricFamilyType.Counter && rng.Coin() ? name + "_total" : name;
        var help = HostileText.Help(rng);
        var samples = new List<MetricSample>();
        var expected = new List<ExpectedSample>();
        var inputs = new List<(List<(string Name, string Value)> Labels, double Value, MetricHistogram? Histogram)>();
        var sampleCount = rng.Below(4) == 0 ? rng.Below(12) : rng.Below(5);
        for (var s = 0; s < sampleCount; s++)
        {
            List<(string Name, string Value)> raw;
            if (s > 0 && rng.OneIn(5))
            {
                raw = inputs[rng.Below(inputs.Count)].Labels; // a repeated label set: the first sample wins
            }
            else
            {
                raw = [];
                var names = LabelNames.Where(_ => rng.OneIn(type == MetricFamilyType.Histogram ? 8 : 5)).ToList();
                if (type == MetricFamilyType.Histogram && rng.OneIn(4)) names.Add("le");
                foreach (var labelName in names) raw.Add((labelName, HostileText.LabelValue(rng)));
            }

            var labels = raw.Select(l => new MetricLabel(l.Name, l.Value)).ToList();
            if (type == MetricFamilyType.Histogram)
            {
                var histogram = Histogram(rng);
                samples.Add(new MetricSample(labels, histogram));
                inputs.Add((raw, 0, histogram));
                expected.Add(new ExpectedSample(ExpectedLabels(raw, histogram: true), histogram.Count, histogram));
            }
            else
            {
                var value = Value(rng);
                samples.Add(new MetricSample(labels, value));
                inputs.Add((raw, value, null));
                expected.Add(new ExpectedSample(ExpectedLabels(raw, histogram: false), value, null));
            }
        }

        Families.Add(new MetricFamily(inputName, type, help, unit, samples));
        _inputs.Add((inputName, type, help, unit, inputs));

        var familyName = type == MetricFamilyType.Counter && inputName.EndsWith("_total", StringComparison.Ordinal) ? inputName[..^6] : inputName;
        var unitLine = unit is not null && familyName.EndsWith("_" + unit, StringComparison.Ordinal) ? unit : null;
        Expected.Add(new ExpectedFamily(familyName, type, Repaired(help), unitLine, Deduplicate(expected)));
    }

    private static MetricHistogram Histogram(FuzzRandom rng)
    {
        var bounds = Bounds.Where(_ => rng.OneIn(4)).ToList();
        var buckets = new List<MetricHistogramBucket>();
        long cumulative = 0;
        foreach (var bound in bounds)
        {
            cumulative += rng.Below(4) == 0 ? 0 : rng.Below(1000);
            buckets.Add(new MetricHistogramBucket(bound, cumulative));
        }

        var count = cumulative + (rng.Coin() ? 0 : rng.Below(1000));
        var sum = Value(rng);
        return new MetricHistogram(buckets, sum, count);
    }

    private static List<(string Name, string Value)> ExpectedLabels(List<(string Name, string Value)> labels, bool histogram)
    {
        var result = new List<(string Name, string Value)>();
        var groups = labels
            .Select(l => (Sanitized: PrometheusNaming.SanitizeLabelName(l.Name), Original: l.Name, Value: Repaired(l.Value)))
            .Where(l => !(histogram && l.Sanitized == "le"))
            .GroupBy(l => l.Sanitized)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            result.Add((group.Key, string.Join(';', group.OrderBy(l => l.Original, StringComparer.Ordinal).Select(l => l.Value))));
        }

        return result;
    }

    private static List<ExpectedSample> Deduplicate(List<ExpectedSample> samples)
    {
        var kept = new List<ExpectedSample>();
        foreach (var sample in samples)
        {
            if (!kept.Any(k => CompareLabels(k.Labels, sample.Labels) == 0)) kept.Add(sample);
        }

        kept.Sort((a, b) => CompareLabels(a.Labels, b.Labels));
        return kept;
    }

    /// <summary>Label sets in the documented order: label by label, name then value (ordinal); shorter first.</summary>
    private static int CompareLabels(IReadOnlyList<(string Name, string Value)> x, IReadOnlyList<(string Name, string Value)> y)
    {
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            var result = string.CompareOrdinal(x[i].Name, y[i].Name);
            if (result == 0) result = string.CompareOrdinal(x[i].Value, y[i].Value);
            if (result != 0) return result;
        }

        return x.Count.CompareTo(y.Count);
    }

    // What UTF-8 can carry: each lone surrogate becomes U+FFFD.
    private static string Repaired(string value) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));
}
