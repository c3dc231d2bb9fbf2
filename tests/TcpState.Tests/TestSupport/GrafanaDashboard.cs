using System.Text.Json;
using System.Text.Json.Nodes;

namespace TcpState.Tests.TestSupport;

/// <summary>A dashboard of grafana/*.json, parsed strictly (no comments, no trailing commas: what Grafana's import accepts).</summary>
public sealed class GrafanaDashboard
{
    private GrafanaDashboard(string fileName, JsonObject root)
    {
        FileName = fileName;
        Root = root;
    }

    public string FileName { get; }

    public JsonObject Root { get; }

    public string Uid => Root["uid"]?.GetValue<string>() ?? string.Empty;

    public string Title => Root["title"]?.GetValue<string>() ?? string.Empty;

    public IReadOnlyList<JsonObject> Variables =>
        (Root["templating"]?["list"] as JsonArray ?? []).Select(v => v!.AsObject()).ToList();

    /// <summary>Every panel, the panels of rows included.</summary>
    public IReadOnlyList<GrafanaPanel> Panels
    {
        get
        {
            var panels = new List<GrafanaPanel>();
            foreach (var node in Root["panels"] as JsonArray ?? [])
            {
                panels.Add(new GrafanaPanel(FileName, node!.AsObject()));
                foreach (var nested in node["panels"] as JsonArray ?? [])
                {
                    panels.Add(new GrafanaPanel(FileName, nested!.AsObject()));
                }
            }

            return panels;
        }
    }

    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(RepositoryFiles.GrafanaDirectory, "*.json").Order(StringComparer.Ordinal).ToList();

    public static GrafanaDashboard Load(string path)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: options)?.AsObject()
            ?? throw new FormatException($"{path} is not a JSON object");
        return new GrafanaDashboard(Path.GetFileName(path), root);
    }

    public static IReadOnlyList<GrafanaDashboard> LoadAll() => Files().Select(Load).ToList();

    /// <summary>
    /// Expands the dashboard variables the way Grafana would for one selected job and instance, so the expression
    /// can be sent to Prometheus as is; throws if any variable is left.
    /// </summary>
    public static string Expand(string expression, string job, string instance, string rateInterval)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var expanded = expression
            .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("${job}", job, StringComparison.Ordinal)
            .Replace("$job", job, StringComparison.Ordinal)
            .Replace("${instance}", instance, StringComparison.Ordinal)
            .Replace("$instance", instance, StringComparison.Ordinal);
        return expanded.Contains('$', StringComparison.Ordinal)
            ? throw new InvalidOperationException($"'{expression}' uses a variable this test does not expand: {expanded}")
            : expanded;
    }
}
