using System.Globalization;
using System.Text.RegularExpressions;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Packaging;

/// <summary>The shipped systemd unit, checked with systemd's own analyzer.</summary>
public partial class UnitFileTests
{
    private static string Unit => RepositoryFiles.PathOf("tcpstate-exporter.service");

    [Fact]
    public void Security_Offline_ExposureAtMostTwo()
    {
        var result = ProcessRunner.Run("systemd-analyze", ["security", "--offline=true", "--no-pager", Unit], TimeSpan.FromSeconds(60));

        var match = ExposureLine().Match(result.StandardOutput);
        Assert.True(match.Success, result.StandardOutput + result.StandardError);
        Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) <= 2.0, match.Value);
    }

    [Fact]
    public void Unit_NotifyWatchdogAndOnlyTheAttributionCapabilities()
    {
        var unit = File.ReadAllLines(Unit).Where(l => !l.StartsWith('#')).ToList();

        Assert.Contains("Type=notify", unit);
        Assert.Contains(unit, l => l.StartsWith("WatchdogSec=", StringComparison.Ordinal));
        Assert.Contains("CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH", unit);
        Assert.Contains("AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH", unit);
        Assert.Contains("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK", unit);
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("NoNewPrivileges=yes", unit);
        Assert.Contains(unit, l => l.StartsWith("SystemCallFilter=@system-service", StringComparison.Ordinal));
        Assert.Contains("User=tcpstate-exporter", unit);
        // Each would break sampling or attribution: see the comment in the unit.
        Assert.DoesNotContain(unit, l => l.StartsWith("PrivateNetwork=", StringComparison.Ordinal) || l.StartsWith("ProcSubset=", StringComparison.Ordinal)
            || l.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal) || l.StartsWith("PrivateUsers=", StringComparison.Ordinal));
        Assert.Contains(unit, l => l.StartsWith("EnvironmentFile=-/etc/default/tcpstate-exporter", StringComparison.Ordinal));
        Assert.Contains(unit, l => l.Contains("--config.file=/etc/tcpstate-exporter/config.json", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex ExposureLine();
}
