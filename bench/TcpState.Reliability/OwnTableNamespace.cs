using System.Globalization;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability;

/// <summary>
/// The harnesses' network namespace, created with a TCP established hash of its own. A namespace
/// created while the host's net.ipv4.tcp_child_ehash_entries is 0 (the default) shares the host's
/// table, and every netlink dump made inside it walks every socket of every namespace on that
/// table: while another program held a million sockets on the host, the soak's daemon spent 89 %
/// of its sampling thread in tcp_diag_dump and 1,000 churn samples (7 s otherwise) took minutes
/// (bench/netns.sh measures this). With a table of its own, the exporter's sampling cost, and so
/// the run, depends only on the harness's own sockets.
/// </summary>
internal static class OwnTableNamespace
{
    private const string HostSysctl = "/proc/sys/net/ipv4/tcp_child_ehash_entries";

    // Plenty for the few hundred sockets of a run; the kernel rounds up to a power of two.
    private const int Buckets = 4096;

    /// <summary>
    /// Creates the namespace. The host's sysctl is set only for the few milliseconds of
    /// 'ip netns add' and put back at once, also on failure. Kernels before 6.1 lack the sysctl:
    /// the namespace then shares the host's table, and <paramref name="table"/> says so.
    /// </summary>
    public static NetworkNamespace Create(out string table)
    {
        if (!File.Exists(HostSysctl))
        {
            table = "the host's TCP table (net.ipv4.tcp_child_ehash_entries needs Linux 6.1+): sample times follow every socket on the host";
            return new NetworkNamespace();
        }

        var old = File.ReadAllText(HostSysctl).Trim();
        NetworkNamespace ns;
        if (old == "0")
        {
            File.WriteAllText(HostSysctl, Buckets.ToString(CultureInfo.InvariantCulture));
            try
            {
                ns = new NetworkNamespace();
            }
            finally
            {
                File.WriteAllText(HostSysctl, old);
            }
        }
        else
        {
            ns = new NetworkNamespace();
        }

        var buckets = ns.ReadSysctl("net.ipv4.tcp_ehash_entries");
        table = buckets.StartsWith('-')
            ? $"the host's TCP table ({buckets}): sample times follow every socket on the host"
            : $"a TCP table of its own ({buckets} buckets), independent of the host's sockets";
        return ns;
    }
}
