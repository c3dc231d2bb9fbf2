using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Dashboards;

/// <summary>
/// Static checks of grafana/*.json, the kubernetes-mixin way: one Prometheus data source variable, job and instance
/// variables in every query, stable uids, tags, a unit and a description on every panel, $__rate_interval in every
/// rate, and only metrics the exporter produces (or the shipped rules record).
/// </summary>
public sealed partial class DashboardLintTests
{
    // File name -> uid. Pinned: links, bookmarks and provisioning refer to dashboards by uid.
    private static readonly Dictionary<string, string> ExpectedUids = new(StringComparer.Ordinal)
    {
        ["tcpstate-overview.json"] = "tcpstate-overview",
        ["tcpstate-close-wait.json"] = "tcpstate-close-wait",
        ["tcpstate-time-wait.json"] = "tcpstate-time-wait",
        ["tcpstate-listen-queues-health.json"] = "tcpstate-listen-queues-health",
    };

    // Panel types that show text and no data, so a unit would mean nothing.
    private static readonly HashSet<string> TextOnlyPanelTypes = new(StringComparer.Ordinal) { "text" };

    public static TheoryData<string> DashboardFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in ExpectedUids.Keys)
            {
                data.Add(name);
            }

            return data;
        }
    }

    [Fact]
    public void GrafanaDirectory_Dashboards_AreExactlyTheFourWithPinnedUids()
    {
        var dashboards = GrafanaDashboard.LoadAll();

        Assert.Equal(ExpectedUids.Keys.Order(StringComparer.Ordinal), dashboards.Select(d => d.FileName));
        Assert.All(dashboards, d => Assert.Equal(ExpectedUids[d.FileName], d.Uid));
        Assert.Equal(dashboards.Count, dashboards.Select(d => d.Title).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Dashboard_TopLevel_IsImportableAndTagged(string file)
    {
        var dashboard = Load(file);

        // id null: Grafana assigns its own on import; a fixed id would clash with existing dashboards.
        Assert.True(dashboard.Root.ContainsKey("id") && dashboard.Root["id"] is null, "id must be null");
        Assert.StartsWith("TCP states / ", dashboard.Title, StringComparison.Ordinal);
        Assert.Matches("^tcpstate-[a-z-]+$", dashboard.Uid);
        Assert.True(dashboard.Uid.Length <= 40, "Grafana uids are at most 40 characters");
        Assert.True(dashboard.Root["schemaVersion"]!.GetValue<int>() >= 36, "schemaVersion predates data source variables by uid");
        Assert.False(string.IsNullOrWhiteSpace(dashboard.Root["description"]?.GetValue<string>()));
        var tags = dashboard.Root["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains("tcpstate", tags);
        Assert.True(tags.Count >= 2, "tags: tcpstate and what the dashboard is about");
        // __inputs would make the import ask for a data source instead of using the variable.
        Assert.False(dashboard.Root.ContainsKey("__inputs"));
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Dashboard_Variables_PrometheusDataSourceThenJobThenInstance(string file)
    {
        var variables = Load(file).Variables;

        Assert.Equal(["datasource", "job", "instance"], variables.Select(v => v["name"]!.GetValue<string>()));
        Assert.Equal("datasource", variables[0]["type"]!.GetValue<string>());
        Assert.Equal("prometheus", variables[0]["query"]!.GetValue<string>());
        foreach (var variable in variables.Skip(1))
        {
            Assert.Equal("query", variable["type"]!.GetValue<string>());
            Assert.Equal("${datasource}", variable["datasource"]!["uid"]!.GetValue<string>());
            Assert.Equal("prometheus", variable["datasource"]!["type"]!.GetValue<string>());
        }

        Assert.Equal("label_values(tcpstate_build_info, job)", variables[1]["query"]!.GetValue<string>());
        // The instance list follows the chosen job.
        Assert.Equal("label_values(tcpstate_build_info{job=~\"$job\"}, instance)", variables[2]["query"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Panels_Every_HasDescriptionAndUniqueIdAndPlace(string file)
    {
        var panels = Load(file).Panels;

        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(p => p.Node["id"]!.GetValue<int>()).Distinct().Count());
        // Unique titles: an operator (and a test) can name a panel without ambiguity.
        Assert.Equal(panels.Count, panels.Select(p => p.Title).Distinct(StringComparer.Ordinal).Count());
        Assert.All(panels, panel =>
        {
            Assert.False(string.IsNullOrWhiteSpace(panel.Title), $"{panel}: no title");
            Assert.True(panel.Description is { Length: > 20 }, $"{panel}: no description");
            Assert.NotNull(panel.Node["gridPos"]);
        });
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Panels_WithQueries_HaveAUnitAndUseTheDataSourceVariable(string file)
    {
        Assert.All(Load(file).Panels, panel =>
        {
            if (TextOnlyPanelTypes.Contains(panel.Type))
            {
                Assert.Empty(panel.Targets);
                return;
            }

            Assert.NotEmpty(panel.Targets);
            Assert.True(!string.IsNullOrWhiteSpace(panel.Unit), $"{panel}: fieldConfig.defaults.unit is missing");
            Assert.Equal("${datasource}", panel.Node["datasource"]!["uid"]!.GetValue<string>());
            Assert.All(panel.Node["targets"]!.AsArray(), t => Assert.Equal("${datasource}", t!["datasource"]!["uid"]!.GetValue<string>()));
            Assert.Equal(panel.Targets.Count, panel.Targets.Select(t => t.RefId).Distinct(StringComparer.Ordinal).Count());
        });
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Targets_EverySelector_FiltersByTheJobAndInstanceVariables(string file)
    {
        Assert.All(Targets(file), item =>
        {
            var selectors = PromQlScanner.Selectors(item.Target.Expression);
            Assert.NotEmpty(selectors);
            Assert.All(selectors, s => Assert.True(
                s.Has("job", "=~", "$job") && s.Has("instance", "=~", "$instance"),
                $"{item.Panel}: '{s.Metric}' lacks job=~\"$job\", instance=~\"$instance\" in {item.Target.Expression}"));
        });
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Targets_RateIncreaseAndIrate_UseRateInterval(string file)
    {
        Assert.All(Targets(file), item =>
        {
            foreach (Match call in RateCall().Matches(item.Target.Expression))
            {
                var windows = RangeWindow().Matches(ArgumentsOf(item.Target.Expression, call.Index + call.Length - 1));
                Assert.NotEmpty(windows);
                Assert.All(windows, w => Assert.True(w.Value == "[$__rate_interval]", $"{item.Panel}: {call.Value}...{w.Value} in {item.Target.Expression}"));
            }
        });
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Targets_MetricNames_AreProducedByTheExporterOrRecordedByTheShippedRules(string file)
    {
        var known = ExporterMetricNames.All.Union(ExporterMetricNames.Recorded()).ToHashSet(StringComparer.Ordinal);
        // label_values(SELECTOR, LABEL): only the selector is PromQL.
        var variableQueries = Load(file).Variables.Skip(1)
            .Select(v => LabelValuesSelector().Match(v["query"]!.GetValue<string>()))
            .Select(m => m.Success ? m.Groups[1].Value : throw new FormatException($"{file}: variable query is not label_values(selector, label)"));

        Assert.All(Targets(file).Select(t => t.Target.Expression).Concat(variableQueries), expression =>
        {
            foreach (var name in PromQlScanner.MetricNames(expression))
            {
                Assert.True(known.Contains(name), $"'{name}' in {expression} is not a metric of the exporter nor recorded by packaging/prometheus/tcpstate-alerts.yml");
            }
        });
    }

    [Fact]
    public void TimeWaitDashboard_EphemeralSharePanels_AreColouredAtTheExhaustionAlertThresholds()
    {
        // warning and critical thresholds of TcpStateEphemeralPortsExhausting, e.g. "... > 0.5".
        var alertThresholds = PrometheusRulesFile.Load(RepositoryFiles.RulesFile).Alerts
            .Where(a => a.Alert == "TcpStateEphemeralPortsExhausting")
            .Select(a => double.Parse(ThresholdComparison().Match(a.Expression.Trim()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        var sharePanels = Load("tcpstate-time-wait.json").Panels
            .Where(p => p.Targets.Any(t => PromQlScanner.MetricNames(t.Expression).Contains("tcpstate_destination_ephemeral_port_ratio")))
            .ToList();

        Assert.Equal(2, alertThresholds.Count);
        Assert.Equal(["Ephemeral ports held per destination", "Largest share of the ephemeral range", "Share of the ephemeral port range, by destination"],
            sharePanels.Select(p => p.Title).Order(StringComparer.Ordinal));
        Assert.All(sharePanels, panel =>
        {
            Assert.Equal("percentunit", panel.Unit);
            var steps = panel.Node["fieldConfig"]!["defaults"]!["thresholds"]!["steps"]!.AsArray()
                .Select(s => s!["value"]).Where(v => v is not null).Select(v => v!.GetValue<double>()).ToList();
            Assert.True(alertThresholds.SequenceEqual(steps), $"{panel}: threshold steps {string.Join(", ", steps)}, the alert's are {string.Join(", ", alertThresholds)}");
        });
    }

    [Fact]
    public void ExporterMetricNames_ExplicitList_IsTheReadmeMetricsTable()
    {
        Assert.Equal(ExporterMetricNames.InReadme().Order(StringComparer.Ordinal), ExporterMetricNames.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OverviewTextPanel_States_ExplainsEveryStateLabel()
    {
        var text = Assert.Single(Load("tcpstate-overview.json").Panels, p => p.Type == "text");
        var content = text.Node["options"]!["content"]!.GetValue<string>();

        Assert.All(TcpStateLabels.All.Append("unknown"), state => Assert.Contains($"| `{state}` |", content, StringComparison.Ordinal));
    }

    [Fact]
    public void Provisioning_DashboardProvider_LoadsTheDashboardsFromDisk()
    {
        var provider = YamlSubsetReader.Parse(File.ReadAllText(RepositoryFiles.PathOf("grafana", "provisioning", "dashboards", "tcpstate.yaml")));

        Assert.Equal("1", provider["apiVersion"]!.GetValue<string>());
        var entry = Assert.Single(provider["providers"]!.AsArray())!;
        Assert.Equal("file", entry["type"]!.GetValue<string>());
        Assert.StartsWith("/", entry["options"]!["path"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioning_DataSourceExample_IsAPrometheusDataSource()
    {
        var sources = YamlSubsetReader.Parse(File.ReadAllText(RepositoryFiles.PathOf("grafana", "provisioning", "datasources", "prometheus.example.yaml")));

        var source = Assert.Single(sources["datasources"]!.AsArray())!;
        Assert.Equal("prometheus", source["type"]!.GetValue<string>());
        Assert.StartsWith("http", source["url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static GrafanaDashboard Load(string file) => GrafanaDashboard.Load(Path.Combine(RepositoryFiles.GrafanaDirectory, file));

    private static List<(GrafanaPanel Panel, GrafanaTarget Target)> Targets(string file) =>
        [.. Load(file).Panels.SelectMany(p => p.Targets.Select(t => (p, t)))];

    // The text between the parenthesis at 'open' and its match.
    private static string ArgumentsOf(string expression, int open)
    {
        var depth = 0;
        for (var i = open; i < expression.Length; i++)
        {
            depth += expression[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return expression[(open + 1)..i];
            }
        }

        throw new FormatException($"unbalanced parenthesis in {expression}");
    }

    [GeneratedRegex(@">\s*([0-9.]+)$")]
    private static partial Regex ThresholdComparison();

    [GeneratedRegex(@"^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$")]
    private static partial Regex LabelValuesSelector();

    [GeneratedRegex(@"\b(rate|irate|increase)\s*\(")]
    private static partial Regex RateCall();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeWindow();
}
