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
                "TcpStateEphemeralPortsExhausting (warning)",
                "TcpStateEphemeralPortsExhausting (critical)",
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
            foreach (var label in new[] { "process", "port", "address", "instance" }.Where(labels.Contains))
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
    public void EphemeralPortRange_RulesDashboardsAndRunbook_UseTheExportedSizeAndAssumeNone()
    {
        // 28232 is the size of Linux's default range (32768-60999), which the rules once assumed.
        var texts = new[] { RepositoryFiles.RulesFile, RepositoryFiles.Runbook }.Concat(GrafanaDashboard.Files())
            .Select(path => (Path: path, Text: File.ReadAllText(path)));
        Assert.All(texts, file => Assert.DoesNotContain("28232", file.Text, StringComparison.Ordinal));
        // No recording rule stands in for a measured series with a constant.
        Assert.All(Rules.Rules, r => Assert.DoesNotContain("vector(", r.Expression, StringComparison.Ordinal));

        var exhausting = Rules.Alerts.Where(a => a.Alert == "TcpStateEphemeralPortsExhausting").ToList();
        Assert.Equal(["critical", "warning"], exhausting.Select(a => a.Labels["severity"]).Order(StringComparer.Ordinal));
        Assert.All(exhausting, alert =>
        {
            // The exporter divides by the host's own range; the description quotes that range's size.
            Assert.Equal("tcpstate_destination_ephemeral_port_ratio", Assert.Single(PromQlScanner.MetricNames(alert.Expression)));
            Assert.Contains("tcpstate_ephemeral_port_range_size{", alert.Annotations["description"], StringComparison.Ordinal);
            Assert.Contains("$labels.address", alert.Annotations["description"], StringComparison.Ordinal);
        });
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
        Assert.All(Rules.Recordings, r => Assert.Contains($"`{r.Record}`", section, StringComparison.Ordinal));
        // The ephemeral port range is measured by the exporter, not assumed by the rules.
        Assert.DoesNotContain("28232", section, StringComparison.Ordinal);
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
