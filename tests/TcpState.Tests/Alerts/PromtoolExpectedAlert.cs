namespace TcpState.Tests.Alerts;

/// <summary>One entry of exp_alerts in a promtool unit test: the labels and annotations the alert must have.</summary>
public sealed record PromtoolExpectedAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);
