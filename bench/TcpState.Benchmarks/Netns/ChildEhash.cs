using System.Globalization;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Netns;

/// <summary>
/// net.ipv4.tcp_child_ehash_entries (Linux 6.1+, commit d1e5e6408b30): the size of the TCP
/// established hash a new network namespace gets. The kernel reads it from the namespace of the
/// process that creates the new one, here the host's (the benchmark and the 'ip netns add' it starts
/// run there). 0, the default, makes the new namespace share the host's table, so a sock_diag dump
/// made inside it walks every bucket and every socket of every namespace that shares it.
/// </summary>
internal static class ChildEhash
{
    public const string Sysctl = "net.ipv4.tcp_child_ehash_entries";

    private const string HostPath = "/proc/sys/net/ipv4/tcp_child_ehash_entries";

    /// <summary>False on kernels older than 6.1: every namespace shares the host's table, there is nothing to compare with.</summary>
    public static bool Supported => File.Exists(HostPath);

    /// <summary>The host's value now.</summary>
    public static int ReadHost() => int.Parse(File.ReadAllText(HostPath).Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates a namespace while the host's sysctl is <paramref name="entries"/> and puts the old
    /// value back at once, also on failure: the window in which another program on the host could
    /// create a namespace with this benchmark's setting is the few milliseconds of 'ip netns add'.
    /// bench/netns.sh restores the value saved at its start once more when the run ends in any way.
    /// </summary>
    public static NetworkNamespace CreateNamespace(int entries)
    {
        if (!Supported)
        {
            return new NetworkNamespace();
        }

        var old = ReadHost();
        if (old == entries)
        {
            return new NetworkNamespace();
        }

        WriteHost(entries);
        try
        {
            return new NetworkNamespace();
        }
        finally
        {
            WriteHost(old);
            if (ReadHost() != old)
            {
                throw new InvalidOperationException($"could not restore {Sysctl} to {old} (reads {ReadHost()}); set it back with: sysctl -w {Sysctl}={old}");
            }
        }
    }

    /// <summary>
    /// The namespace's own net.ipv4.tcp_ehash_entries: negative (minus the host's bucket count) when
    /// it shares the host's table, its own bucket count otherwise.
    /// </summary>
    public static int BucketsOf(NetworkNamespace networkNamespace) =>
        int.Parse(networkNamespace.ReadSysctl("net.ipv4.tcp_ehash_entries"), CultureInfo.InvariantCulture);

    /// <summary>The host's established-hash bucket count (net.ipv4.tcp_ehash_entries of the host).</summary>
    public static int HostBuckets() =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_ehash_entries").Trim(), CultureInfo.InvariantCulture);

    private static void WriteHost(int entries) =>
        File.WriteAllText(HostPath, entries.ToString(CultureInfo.InvariantCulture));
}
