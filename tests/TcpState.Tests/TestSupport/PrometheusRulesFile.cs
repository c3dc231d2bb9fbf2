using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TcpState.Tests.TestSupport;

/// <summary>A Prometheus rules file (groups of alerting and recording rules), read with <see cref="YamlSubsetReader"/>.</summary>
public sealed partial class PrometheusRulesFile
{
    private PrometheusRulesFile(IReadOnlyList<PrometheusRule> rules) => Rules = rules;

    public IReadOnlyList<PrometheusRule> Rules { get; }

    public IEnumerable<PrometheusRule> Alerts => Rules.Where(r => r.Alert is not null);

    public IEnumerable<PrometheusRule> Recordings => Rules.Where(r => r.Record is not null);

    public static PrometheusRulesFile Load(string path) => Parse(File.ReadAllText(path));

    public static PrometheusRulesFile Parse(string yaml)
    {
        var root = YamlSubsetReader.Parse(yaml).AsObject();
        var rules = new List<PrometheusRule>();
        foreach (var group in Array(root, "groups"))
        {
            var groupName = Text(group!, "name");
            foreach (var rule in Array(group!, "rules"))
            {
                var node = rule!.AsObject();
                rules.Add(new PrometheusRule(
                    groupName,
                    node["alert"]?.GetValue<string>(),
                    node["record"]?.GetValue<string>(),
                    Text(node, "expr"),
                    node["for"] is { } duration ? ParseDuration(duration.GetValue<string>()) : TimeSpan.Zero,
                    Strings(node["labels"]),
                    Strings(node["annotations"])));
            }
        }

        return new PrometheusRulesFile(rules);
    }

    /// <summary>A Prometheus duration such as 90s, 5m or 1h30m.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = DurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            throw new FormatException($"'{text}' is not a Prometheus duration");
        }

        var total = TimeSpan.Zero;
        foreach (Match match in matches)
        {
            var value = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            total += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                "d" => TimeSpan.FromDays(value),
                "w" => TimeSpan.FromDays(7 * value),
                _ => TimeSpan.FromDays(365 * value),
            };
        }

        return total;
    }

    private static JsonArray Array(JsonNode node, string key) =>
        node[key] as JsonArray ?? throw new FormatException($"'{key}' must be a list");

    private static string Text(JsonNode node, string key) =>
        node[key]?.GetValue<string>() ?? throw new FormatException($"'{key}' is missing");

    private static Dictionary<string, string> Strings(JsonNode? node) =>
        node is JsonObject map
            ? map.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    [GeneratedRegex("([0-9]+)(ms|s|m|h|d|w|y)")]
    private static partial Regex DurationPart();
}
