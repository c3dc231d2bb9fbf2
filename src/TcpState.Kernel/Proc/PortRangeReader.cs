using System.Globalization;
using TcpState.Core;

namespace TcpState.Kernel.Proc;

/// <summary>
/// Reads the ephemeral port range of the namespace whose procfs is at the root:
/// <c>sys/net/ipv4/ip_local_port_range</c> ("32768	60999") and
/// <c>sys/net/ipv4/ip_local_reserved_ports</c> ("8080,9000-9100", often empty).
/// </summary>
public sealed class PortRangeReader(string procRoot)
{
    private readonly string _range = Path.Combine(procRoot, "sys", "net", "ipv4", "ip_local_port_range");
    private readonly string _reserved = Path.Combine(procRoot, "sys", "net", "ipv4", "ip_local_reserved_ports");

    /// <summary>The range, or null when it cannot be read (no such file: not a Linux procfs).</summary>
    public PortRange? Read()
    {
        try
        {
            var parts = File.ReadAllText(_range).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                || low > high || high > 65535)
            {
                return null;
            }

            return new PortRange(low, high, CountReserved(File.Exists(_reserved) ? File.ReadAllText(_reserved) : "", low, high));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reserved ports that fall inside the range.</summary>
    public static int CountReserved(string reserved, int low, int high)
    {
        var count = 0;
        foreach (var item in reserved.Split((char[])[',', '\n', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            var first = dash < 0 ? item : item[..dash];
            var last = dash < 0 ? item : item[(dash + 1)..];
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                count += Math.Max(0, Math.Min(to, high) - Math.Max(from, low) + 1);
            }
        }

        return count;
    }
}
