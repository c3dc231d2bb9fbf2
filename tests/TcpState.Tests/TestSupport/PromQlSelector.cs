namespace TcpState.Tests.TestSupport;

/// <summary>
/// One vector selector of a PromQL expression: the metric name, and its label matchers as name, operator and
/// value (quotes removed, escapes kept as written).
/// </summary>
public sealed record PromQlSelector(string Metric, IReadOnlyList<(string Label, string Operator, string Value)> Matchers)
{
    /// <summary>True when the selector has exactly this matcher, e.g. ("job", "=~", "$job").</summary>
    public bool Has(string label, string op, string value) =>
        Matchers.Any(m => m.Label == label && m.Operator == op && m.Value == value);
}
