using System.Text.RegularExpressions;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Alerts;

/// <summary>
/// The shipped rules file (packaging/prometheus/tcpstate-alerts.yml) and its promtool unit tests, checked the
/// kubernetes-mixin way: promtool accepts both, every alert is tested one evaluation before and exactly at its
/// 'for' boundary with its labels and annotations, and every runbook link resolves to a section of docs/runbook.md.
/// </summary>
public sealed partial class RulesFileTests
{
    public const string RunbookUrlPrefix = "https://github.com/tcpstate-exporter/tcpstate-exporter/blob/main/docs/runbook.md#";

    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromSeconds(60);

    private static PrometheusRulesFile Rules => PrometheusRulesFile.Load(RepositoryFiles.RulesFile);

    [Fact]
    public void PromtoolCheckRules_ShippedRulesFile_Succeeds()
    {
        var result = ProcessRunner.Run("promtool", ["check", "rules", RepositoryFiles.RulesFile], PromtoolTimeout);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains($"SUCCESS: {Rules.Rules.Count} rules found", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void PromtoolTestRules_UnitTests_AllPass()
    {
        var result = ProcessRunner.Run("promtool", ["test", "rules", RepositoryFiles.RulesTestFile], PromtoolTimeout);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("SUCCESS", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void PromtoolCheckRules_ShortenedEndToEndCopy_Succeeds()
    {
        var directory = Directory.CreateTempSubdirectory("tcpstate-rules-").FullName;
        try
        {
            var path = Path.Combine(directory, "shortened.yml");
            File.WriteAllText(path, ShortenedRules.Rewrite(File.ReadAllText(RepositoryFiles.RulesFile), MonitoringStack.Thresholds));

            var result = ProcessRunner.Run("promtool", ["check", "rules", path], PromtoolTimeout);

            Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
            Assert.All(PrometheusRulesFile.Load(path).Alerts, a => Assert.Equal(TimeSpan.FromSeconds(1), a.For));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Alerts_ShippedRules_CoverEveryConditionOfTheIssue()
    {
        var names = Rules.Alerts.Select(a => a.DisplayName).ToList();

        Assert.Equal(
            [
                "TcpStateCloseWaitStuck (warning)",
                "TcpStateCloseWaitStuck (critical)",
                "TcpStateCloseWaitGrowing (warning)",
                "TcpStateTimeWaitEphemeralRangeHigh (warning)",
                "TcpStateListenQueueFull (critical)",
                "TcpStateExporterSamplingFailing (warning)",
                "TcpStateExporterDataStale (warning)",
                "TcpStateExporterDown (warning)",
            ],
            names);
        Assert.All(Rules.Alerts, a => Assert.True(a.For > TimeSpan.Zero, $"{a.DisplayName} has no 'for'"));
    }

    [Fact]
    public void Alerts_Every_HasSeveritySummaryDescriptionAndRunbookUrl()
    {
        Assert.All(Rules.Alerts, alert =>
        {
            Assert.Contains(alert.Labels.GetValueOrDefault("severity"), new[] { "warning", "critical" });
            Assert.Equal(["description", "runbook_url", "summary"], alert.Annotations.Keys.Order(StringComparer.Ordinal));
            Assert.All(alert.Annotations.Values, v => Assert.False(string.IsNullOrWhiteSpace(v), $"{alert.DisplayName}: empty annotation"));
        });
    }

    [Fact]
    public void RunbookUrls_Every_PointsAtASectionOfTheRunbook()
    {
        var anchors = RunbookAnchors();

        Assert.All(Rules.Alerts, alert =>
        {
            var url = alert.Annotations["runbook_url"];
            Assert.StartsWith(RunbookUrlPrefix, url, StringComparison.Ordinal);
            var anchor = url[RunbookUrlPrefix.Length..];
            Assert.True(anchors.Contains(anchor), $"{alert.DisplayName}: docs/runbook.md has no heading with anchor #{anchor}; it has {string.Join(", ", anchors)}");
            // The section is the alert's own, not a neighbour's.
            Assert.Equal(alert.Alert!.ToLowerInvariant(), anchor);
        });
    }

    [Fact]
    public void Descriptions_AlertsCarryingProcessOrPort_NameThemFromTheLabels()
    {
        var tests = PromtoolUnitTests.Load(RepositoryFiles.RulesTestFile);

        Assert.All(Rules.Alerts, alert =>
        {
            // The labels an alert carries are the ones its unit tests expect on it.
            var labels = tests.FiringCases(alert).SelectMany(c => c.Labels.Keys).ToHashSet(StringComparer.Ordinal);
            foreach (var label in new[] { "process", "port", "instance" }.Where(labels.Contains))
            {
                Assert.Contains("$labels." + label, alert.Annotations["description"], StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public void UnitTests_EveryAlert_CheckedOneEvaluationBeforeAndExactlyAtItsForBoundary()
    {
        var tests = PromtoolUnitTests.Load(RepositoryFiles.RulesTestFile);

        Assert.All(Rules.Alerts, alert =>
        {
            var boundaries = tests.ForBoundaries(alert).ToList();
            Assert.True(boundaries.Count > 0,
                $"{alert.DisplayName}: no test case asserts it absent at some time T - {tests.EvaluationInterval} and firing at T, with T - {alert.For} the time its condition starts to hold");
        });
    }

    [Fact]
    public void UnitTests_FiringCases_AssertEveryAnnotationAndTheSeverity()
    {
        var tests = PromtoolUnitTests.Load(RepositoryFiles.RulesTestFile);

        Assert.All(Rules.Alerts, alert =>
        {
            var cases = tests.FiringCases(alert).ToList();
            Assert.NotEmpty(cases);
            Assert.All(cases, c =>
            {
                Assert.Equal(alert.Annotations.Keys.Order(StringComparer.Ordinal), c.Annotations.Keys.Order(StringComparer.Ordinal));
                Assert.Equal(alert.Annotations["runbook_url"], c.Annotations["runbook_url"]);
                Assert.Equal(alert.Annotations["summary"], c.Annotations["summary"]);
            });
        });
    }

    [Fact]
    public void Expressions_MetricNames_AreProducedByTheExporterRecordedHereOrUp()
    {
        var recorded = Rules.Recordings.Select(r => r.Record!).ToHashSet(StringComparer.Ordinal);

        Assert.All(Rules.Rules, rule =>
        {
            foreach (var name in PromQlScanner.MetricNames(rule.Expression))
            {
                // 'up' is written by Prometheus for every target; the down alert needs it.
                Assert.True(ExporterMetricNames.All.Contains(name) || recorded.Contains(name) || name == "up",
                    $"{rule.DisplayName}: '{name}' is neither produced by the exporter nor recorded by the rules");
            }
        });
    }

    [Fact]
    public void EphemeralPortRange_DefaultSize_IsDefinedInOnePlaceAndDocumented()
    {
        var rules = Rules;
        var size = Assert.Single(rules.Recordings, r => r.Record == "tcpstate:ephemeral_port_range:size");

        Assert.Equal("vector(28232)", size.Expression);
        // Everything else reads the recorded series instead of repeating the number.
        Assert.All(rules.Rules.Where(r => r.Record != size.Record), r =>
        {
            Assert.DoesNotContain("28232", r.Expression, StringComparison.Ordinal);
            Assert.All(r.Annotations.Values, a => Assert.DoesNotContain("28232", a, StringComparison.Ordinal));
        });
        Assert.All(GrafanaDashboard.LoadAll().SelectMany(d => d.Panels).SelectMany(p => p.Targets),
            t => Assert.DoesNotContain("28232", t.Expression, StringComparison.Ordinal));
        Assert.Contains("tcpstate:ephemeral_port_range:size", File.ReadAllText(RepositoryFiles.Runbook), StringComparison.Ordinal);
        Assert.Contains("tcpstate:ephemeral_port_range:size", File.ReadAllText(RepositoryFiles.Readme), StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_DashboardsAndAlertsSection_ListsEveryAlertAndThePromtoolCommands()
    {
        var readme = File.ReadAllText(RepositoryFiles.Readme);
        var start = readme.IndexOf("## Dashboards and alerts", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no 'Dashboards and alerts' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];

        Assert.All(Rules.Alerts, a => Assert.Contains($"`{a.Alert}`", section, StringComparison.Ordinal));
        Assert.Contains("promtool check rules", section, StringComparison.Ordinal);
        Assert.Contains("promtool test rules", section, StringComparison.Ordinal);
        Assert.Contains("rule_files", section, StringComparison.Ordinal);
    }

    // GitHub's heading anchors: lower case, punctuation other than '-' and '_' removed, spaces to '-'.
    private static HashSet<string> RunbookAnchors() =>
        File.ReadLines(RepositoryFiles.Runbook)
            .Where(l => l.StartsWith('#'))
            .Select(l => l.TrimStart('#').Trim().ToLowerInvariant())
            .Select(h => NotAnchorCharacter().Replace(h, string.Empty).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex NotAnchorCharacter();
}
