using System.Text.Json.Nodes;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Alerts;

/// <summary>The alert cases of a promtool unit test file (the file promtool runs; this reads what it asserts).</summary>
public sealed class PromtoolUnitTests
{
    private PromtoolUnitTests(TimeSpan evaluationInterval, IReadOnlyList<PromtoolAlertCase> cases)
    {
        EvaluationInterval = evaluationInterval;
        Cases = cases;
    }

    public TimeSpan EvaluationInterval { get; }

    public IReadOnlyList<PromtoolAlertCase> Cases { get; }

    public static PromtoolUnitTests Load(string path)
    {
        var root = YamlSubsetReader.Parse(File.ReadAllText(path)).AsObject();
        // promtool's default evaluation interval is 1m.
        var interval = PrometheusRulesFile.ParseDuration(root["evaluation_interval"]?.GetValue<string>() ?? "1m");
        var cases = new List<PromtoolAlertCase>();
        foreach (var test in root["tests"]!.AsArray())
        {
            var name = test!["name"]?.GetValue<string>() ?? $"test {cases.Count}";
            foreach (var alertCase in test["alert_rule_test"] as JsonArray ?? [])
            {
                cases.Add(new PromtoolAlertCase(
                    name,
                    PrometheusRulesFile.ParseDuration(alertCase!["eval_time"]!.GetValue<string>()),
                    alertCase["alertname"]!.GetValue<string>(),
                    (alertCase["exp_alerts"] as JsonArray ?? [])
                        .Select(e => new PromtoolExpectedAlert(Strings(e!["exp_labels"]), Strings(e["exp_annotations"])))
                        .ToList()));
            }
        }

        return new PromtoolUnitTests(interval, cases);
    }

    /// <summary>Expected alerts of <paramref name="rule"/>'s name and severity, across all cases.</summary>
    public IEnumerable<PromtoolExpectedAlert> FiringCases(PrometheusRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Cases.Where(c => c.AlertName == rule.Alert).SelectMany(c => c.Expected).Where(e => SameSeverity(e, rule));
    }

    /// <summary>
    /// Times T (with their test) at which a case expects <paramref name="rule"/> firing while a case of the same test
    /// one evaluation earlier expects it not firing, and T is at least the rule's 'for': its boundary is tested.
    /// </summary>
    public IEnumerable<(string Test, TimeSpan At)> ForBoundaries(PrometheusRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var mine = Cases.Where(c => c.AlertName == rule.Alert).ToList();
        foreach (var firing in mine.Where(c => c.Expected.Any(e => SameSeverity(e, rule)) && c.EvalTime >= rule.For))
        {
            var before = firing.EvalTime - EvaluationInterval;
            if (mine.Any(c => c.Test == firing.Test && c.EvalTime == before && !c.Expected.Any(e => SameSeverity(e, rule))))
            {
                yield return (firing.Test, firing.EvalTime);
            }
        }
    }

    private static bool SameSeverity(PromtoolExpectedAlert expected, PrometheusRule rule) =>
        expected.Labels.GetValueOrDefault("severity") == rule.Labels.GetValueOrDefault("severity");

    private static Dictionary<string, string> Strings(JsonNode? node) =>
        node is JsonObject map
            ? map.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
