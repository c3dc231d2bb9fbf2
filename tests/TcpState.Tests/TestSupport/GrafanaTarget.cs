namespace TcpState.Tests.TestSupport;

/// <summary>One query of a Grafana panel: its refId, PromQL expression (variables unexpanded) and whether Grafana runs it as an instant query.</summary>
public sealed record GrafanaTarget(string RefId, string Expression, bool Instant);
