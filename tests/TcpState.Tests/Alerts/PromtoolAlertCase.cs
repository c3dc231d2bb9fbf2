namespace TcpState.Tests.Alerts;

/// <summary>One alert_rule_test entry: at EvalTime, in test Test, exactly Expected of AlertName are firing.</summary>
public sealed record PromtoolAlertCase(string Test, TimeSpan EvalTime, string AlertName, IReadOnlyList<PromtoolExpectedAlert> Expected);
