using System.Text.Json;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// One dashboard query as Prometheus answered it: the expanded expression, the instant query's response and the
/// range query's response (the two ways Grafana runs panel queries).
/// </summary>
public sealed record PanelQueryResult(GrafanaPanel Panel, GrafanaTarget Target, string Expression, JsonElement Instant, JsonElement Range)
{
    /// <summary>The instant query's result vector (empty if the query failed).</summary>
    public IReadOnlyList<JsonElement> Series =>
        Instant.TryGetProperty("data", out var data) ? [.. data.GetProperty("result").EnumerateArray()] : [];

    /// <summary>Values of the series whose labels include every one of <paramref name="labels"/>.</summary>
    public IReadOnlyList<double> ValuesWhere(params (string Label, string Value)[] labels) =>
        Series.Where(s => labels.All(l => s.GetProperty("metric").TryGetProperty(l.Label, out var v) && v.GetString() == l.Value))
            .Select(s => double.Parse(s.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    public override string ToString() => $"{Panel} [{Target.RefId}] {Expression}{Environment.NewLine}instant: {Instant}{Environment.NewLine}range status: {Range.GetProperty("status")}";
}
