using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Packaging;

/// <summary>
/// Builds the real .deb with packaging/build.sh, then installs, runs, removes and purges it on
/// this machine. The package must not be installed already (the test would otherwise change a
/// real installation), so it refuses to run over one.
/// </summary>
public sealed class DebianPackageTests : IClassFixture<DebianPackageTests.Built>
{
    private const string Package = "tcpstate-exporter";
    private readonly Built _built;

    public DebianPackageTests(Built built) => _built = built;

    [Fact]
    public void Build_Package_HasTheFilesAndControlData()
    {
        var files = Run("dpkg-deb", "-c", _built.Deb).StandardOutput;
        var control = Run("dpkg-deb", "-f", _built.Deb).StandardOutput;
        var conffiles = Run("dpkg-deb", "-I", _built.Deb, "conffiles").StandardOutput;

        foreach (var path in new[]
        {
            "./usr/bin/tcpstate-exporter", "./lib/systemd/system/tcpstate-exporter.service", "./etc/tcpstate-exporter/config.json",
            "./etc/default/tcpstate-exporter", "./usr/share/man/man8/tcpstate-exporter.8.gz", "./usr/share/doc/tcpstate-exporter/copyright",
            "./usr/share/tcpstate-exporter/prometheus/tcpstate-alerts.yml", "./usr/share/tcpstate-exporter/grafana/",
        })
        {
            Assert.Contains(path, files, StringComparison.Ordinal);
        }

        Assert.Contains("Package: tcpstate-exporter", control, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64", control, StringComparison.Ordinal);
        Assert.Matches(@"Version: \d+\.\d+\.\d+-1", control);
        Assert.Contains("Depends: adduser", control, StringComparison.Ordinal);
        Assert.Equal(["/etc/default/tcpstate-exporter", "/etc/tcpstate-exporter/config.json"], conffiles.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"tcpstate-exporter_\d+\.\d+\.\d+-1_amd64\.deb$", _built.Deb);
    }

    [Fact]
    public void Lintian_Package_ReportsNoErrorsOrWarnings()
    {
        var result = Run("lintian", "--fail-on", "error,warning", _built.Deb);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public void Tarball_HoldsTheSameBinaryAndFiles()
    {
        var files = Run("tar", "-tzf", _built.Tarball).StandardOutput;

        foreach (var name in new[] { "/tcpstate-exporter", "/tcpstate-exporter.service", "/config.json", "/tcpstate-exporter.8", "/prometheus/tcpstate-alerts.yml", "/README.md" })
        {
            Assert.Contains(name, files, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InstallRunRemovePurge_LeavesNothingBehind()
    {
        Assert.NotEqual(0, Run("dpkg", "-s", Package).ExitCode); // not installed before the test
        try
        {
            Assert.Equal(0, Run("dpkg", "-i", _built.Deb).ExitCode);

            Assert.StartsWith("tcpstate-exporter version ", Run("/usr/bin/tcpstate-exporter", "--version").StandardOutput, StringComparison.Ordinal);
            var snapshot = Run("/usr/bin/tcpstate-exporter", "snapshot", "--web.listen-address=127.0.0.1:1", "--config.file=/etc/tcpstate-exporter/config.json");
            Assert.True(snapshot.ExitCode == 0, snapshot.StandardError);
            Assert.Contains("close_wait", snapshot.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("tcpstate-exporter:x:", File.ReadAllText("/etc/passwd"), StringComparison.Ordinal);
            Assert.Contains("/nonexistent", Run("getent", "passwd", Package).StandardOutput, StringComparison.Ordinal);
            Assert.Contains("/etc/tcpstate-exporter/config.json", Run("dpkg-query", "--showformat=${Conffiles}", "--show", Package).StandardOutput, StringComparison.Ordinal);
            var verify = Run("systemd-analyze", "verify", "/lib/systemd/system/tcpstate-exporter.service");
            Assert.True(verify.ExitCode == 0, verify.StandardOutput + verify.StandardError);
            Assert.Contains("man8/tcpstate-exporter.8", Run("man", "-w", "tcpstate-exporter").StandardOutput, StringComparison.Ordinal);

            // remove: the program goes, the settings (conffiles) and the user stay.
            Assert.Equal(0, Run("dpkg", "-r", Package).ExitCode);
            Assert.False(File.Exists("/usr/bin/tcpstate-exporter"));
            Assert.True(File.Exists("/etc/tcpstate-exporter/config.json"));

            // purge: settings, user, group and the unit's enablement go too.
            Assert.Equal(0, Run("dpkg", "-P", Package).ExitCode);
            Assert.False(Directory.Exists("/etc/tcpstate-exporter"));
            Assert.False(File.Exists("/etc/default/tcpstate-exporter"));
            Assert.NotEqual(0, Run("getent", "passwd", Package).ExitCode);
            Assert.NotEqual(0, Run("getent", "group", Package).ExitCode);
            Assert.False(File.Exists("/etc/systemd/system/multi-user.target.wants/tcpstate-exporter.service"));
            Assert.Empty(Directory.EnumerateFileSystemEntries("/var/lib/systemd", "*tcpstate*", SearchOption.AllDirectories));
            Assert.NotEqual(0, Run("dpkg", "-s", Package).ExitCode);
        }
        finally
        {
            Run("dpkg", "-P", Package);
        }
    }

    private static ProcessResult Run(string file, params string[] arguments) => ProcessRunner.Run(file, arguments, TimeSpan.FromMinutes(2));

    /// <summary>Builds the package once for the class (a trimmed publish takes about a minute).</summary>
    public sealed class Built : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("tcpstate-deb-").FullName;

        public Built()
        {
            var result = ProcessRunner.Run(RepositoryFiles.PathOf("packaging", "build.sh"), [_directory], TimeSpan.FromMinutes(10));
            if (result.ExitCode != 0) throw new InvalidOperationException($"packaging/build.sh failed: {result.StandardOutput}{result.StandardError}");
            Deb = Directory.GetFiles(_directory, "*.deb").Single();
            Tarball = Directory.GetFiles(_directory, "*.tar.gz").Single();
        }

        public string Deb { get; }

        public string Tarball { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
