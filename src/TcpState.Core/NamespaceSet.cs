namespace TcpState.Core;

/// <summary>One network namespace's sample, beside the host view (<c>--netns.enabled</c>).</summary>
public sealed class NamespaceSnapshot
{
    /// <summary>The <c>netns</c> label: the <c>ip netns</c> name, else the namespace inode as <c>lsns</c> prints it.</summary>
    public required string Netns { get; init; }

    /// <summary>The <c>container</c> label: a short container id from the cgroup of a process in the namespace, or "".</summary>
    public required string Container { get; init; }

    /// <summary>The Kubernetes pod uid from that cgroup, or "".</summary>
    public string Pod { get; init; } = "";

    /// <summary>The cgroup (v2) path the identity was read from, or "".</summary>
    public string Cgroup { get; init; } = "";

    /// <summary>
    /// Whether the namespace shares the host's TCP hash table (so each dump walks the whole host
    /// table: <c>net.ipv4.tcp_child_ehash_entries</c> was 0 when it was created); null when unknown.
    /// </summary>
    public bool? SharedHashTable { get; init; }

    /// <summary>The namespace's sample.</summary>
    public required SocketSnapshot Snapshot { get; init; }
}

/// <summary>What one sample found in the other network namespaces.</summary>
public sealed class NamespaceSet
{
    /// <summary>Reasons a discovered namespace was not sampled, each always reported (0 when none).</summary>
    public static readonly IReadOnlyList<string> SkipReasons = ["limit", "no_process", "gone", "error"];

    /// <summary>Namespaces sampled, in discovery order (named ones first).</summary>
    public required IReadOnlyList<NamespaceSnapshot> Sampled { get; init; }

    /// <summary>Namespaces found besides the exporter's own.</summary>
    public required int Discovered { get; init; }

    /// <summary>Namespaces found but not sampled, by reason (see <see cref="SkipReasons"/>).</summary>
    public required IReadOnlyDictionary<string, int> Skipped { get; init; }
}

/// <summary>Samples the other network namespaces once per sample of the host view.</summary>
public interface INamespaceSampler
{
    /// <summary>Never throws for one namespace's failure: that namespace is skipped and counted.</summary>
    NamespaceSet Sample();
}
