namespace TcpState.Tests.TestSupport;

/// <summary>
/// One rule of a Prometheus rules file. Alert is set for alerting rules, Record for recording rules; For is zero
/// when the rule has no 'for'.
/// </summary>
public sealed record PrometheusRule(
    string Group,
    string? Alert,
    string? Record,
    string Expression,
    TimeSpan For,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The alert name and its severity, e.g. "TcpStateCloseWaitStuck (critical)": one alert name may have several severities.</summary>
    public string DisplayName => Alert is null ? Record ?? "?" : $"{Alert} ({Labels.GetValueOrDefault("severity", "no severity")})";
}
