using System.Text.Json.Nodes;

namespace TcpState.Tests.TestSupport;

/// <summary>A panel of a Grafana dashboard, with the parts the lint and end-to-end tests look at.</summary>
public sealed class GrafanaPanel
{
    public GrafanaPanel(string dashboardFile, JsonObject node)
    {
        DashboardFile = dashboardFile;
        Node = node;
    }

    public string DashboardFile { get; }

    public JsonObject Node { get; }

    public string Title => Node["title"]?.GetValue<string>() ?? string.Empty;

    public string Type => Node["type"]?.GetValue<string>() ?? string.Empty;

    public string? Description => Node["description"]?.GetValue<string>();

    public string? Unit => Node["fieldConfig"]?["defaults"]?["unit"]?.GetValue<string>();

    public IReadOnlyList<GrafanaTarget> Targets =>
        (Node["targets"] as JsonArray ?? [])
            .Select(t => new GrafanaTarget(
                t!["refId"]?.GetValue<string>() ?? string.Empty,
                t["expr"]?.GetValue<string>() ?? string.Empty,
                t["instant"]?.GetValue<bool>() ?? false))
            .ToList();

    /// <summary>"file.json: title", for assertion messages.</summary>
    public override string ToString() => $"{DashboardFile}: {Title}";
}
