namespace TcpState.Tests.TestSupport;

/// <summary>
/// Files of the repository checkout the tests run from (dashboards, rules, docs), read in place: the tests check
/// the files that ship, never a copy that could drift from them.
/// </summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The checkout's top folder: the first folder above the test assembly that holds Exporter.sln.</summary>
    public static string Root => RootPath.Value;

    public static string GrafanaDirectory => Path.Combine(Root, "grafana");

    public static string RulesFile => Path.Combine(Root, "packaging", "prometheus", "tcpstate-alerts.yml");

    public static string RulesTestFile => Path.Combine(Root, "packaging", "prometheus", "tcpstate-alerts.test.yml");

    public static string Runbook => Path.Combine(Root, "docs", "runbook.md");

    public static string Readme => Path.Combine(Root, "README.md");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Exporter.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds Exporter.sln; the tests must run from a checkout");
    }
}
