using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpState.Tests.TestSupport;

/// <summary>Reads sample values out of a text exposition, for assertions.</summary>
public static partial class PrometheusText
{
    /// <summary>Every sample of <paramref name="name"/> as (labels as "k=v,k=v" sorted, value).</summary>
    public static IReadOnlyDictionary<string, double> Samples(string text, string name)
    {
        var result = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .Select(m => $"{m.Groups[1].Value}={m.Groups[2].Value}")
                .Order(StringComparer.Ordinal);
            result[string.Join(',', labels)] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return result;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
