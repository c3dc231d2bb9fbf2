using System.Globalization;

namespace TcpState.Kernel.Proc;

/// <summary>
/// Whether this process may read other users' /proc/PID/fd links: that needs both
/// CAP_DAC_READ_SEARCH (list the directory) and CAP_SYS_PTRACE (readlink, a ptrace access check),
/// or root. Read from the CapEff line of /proc/self/status.
/// </summary>
public sealed record ProcessCapabilities(uint Uid, bool DacReadSearch, bool SysPtrace)
{
    private const int CapDacReadSearch = 2;
    private const int CapSysPtrace = 19;

    /// <summary>The capabilities attribution needs and this process lacks, e.g. "CAP_SYS_PTRACE"; empty when none.</summary>
    public IReadOnlyList<string> Missing =>
        [.. DacReadSearch ? Array.Empty<string>() : ["CAP_DAC_READ_SEARCH"], .. SysPtrace ? Array.Empty<string>() : ["CAP_SYS_PTRACE"]];

    public static ProcessCapabilities OfThisProcess()
    {
        uint uid = 0;
        ulong effective = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                uid = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                effective = ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return new ProcessCapabilities(uid, (effective & (1UL << CapDacReadSearch)) != 0, (effective & (1UL << CapSysPtrace)) != 0);
    }
}
