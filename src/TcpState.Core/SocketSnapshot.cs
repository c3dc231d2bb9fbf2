namespace TcpState.Core;

/// <summary>
/// The result of one complete sample, immutable once published: scrapes read it and never touch
/// the kernel.
/// </summary>
public sealed class SocketSnapshot
{
    /// <summary>Wall-clock time at which the sample completed.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>How long the sample took, measured on the monotonic clock.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The source that produced it (<c>netlink</c> or <c>proc</c>).</summary>
    public required string Source { get; init; }

    /// <summary>Sockets per state, indexed as <see cref="StateLabel"/>; always <see cref="StateLabel.Count"/> entries.</summary>
    public required IReadOnlyList<long> StateCounts { get; init; }

    /// <summary>Port series after the cardinality cap, sorted by state, role, port.</summary>
    public required IReadOnlyList<PortGroupCount> PortGroups { get; init; }

    /// <summary>Groups folded into <c>port="other"</c> by the cap.</summary>
    public required int FoldedGroups { get; init; }

    /// <summary>Records skipped as malformed in this sample.</summary>
    public required long MalformedRecords { get; init; }

    /// <summary>Dumps restarted in this sample because the kernel flagged them inconsistent.</summary>
    public required int Retries { get; init; }

    /// <summary>Accept queues of the listeners, per port and owner, sorted by port.</summary>
    public IReadOnlyList<ListenQueue> ListenQueues { get; init; } = [];

    /// <summary>Sockets with an owner (an inode) that attribution could not find.</summary>
    public long UnattributedSockets { get; init; }

    /// <summary>Sockets being followed for their age.</summary>
    public int TrackedSockets { get; init; }

    /// <summary>The ephemeral port range of the sampled namespace, or null when unknown.</summary>
    public PortRange? PortRange { get; init; }

    /// <summary>The busiest client destinations by ephemeral ports held, largest first (bounded).</summary>
    public IReadOnlyList<DestinationUsage> Destinations { get; init; } = [];

    /// <summary>Of <see cref="Duration"/>, the time spent attributing sockets to processes.</summary>
    public TimeSpan AttributionDuration { get; init; }

    /// <summary>The other network namespaces' samples, or null when they are not sampled (<c>--netns.enabled=false</c>).</summary>
    public NamespaceSet? Namespaces { get; init; }

    /// <summary>A copy with the timing of the whole sample filled in, and the other namespaces' samples when given.</summary>
    public SocketSnapshot WithTiming(DateTimeOffset timestamp, TimeSpan duration, TimeSpan attribution, NamespaceSet? namespaces = null) => new()
    {
        Namespaces = namespaces ?? Namespaces,
        Timestamp = timestamp,
        Duration = duration,
        AttributionDuration = attribution,
        Source = Source,
        StateCounts = StateCounts,
        PortGroups = PortGroups,
        FoldedGroups = FoldedGroups,
        MalformedRecords = MalformedRecords,
        Retries = Retries,
        ListenQueues = ListenQueues,
        UnattributedSockets = UnattributedSockets,
        TrackedSockets = TrackedSockets,
        PortRange = PortRange,
        Destinations = Destinations,
    };

    /// <summary>All sockets counted.</summary>
    public long TotalSockets
    {
        get
        {
            long total = 0;
            foreach (var count in StateCounts) total += count;
            return total;
        }
    }
}
