namespace TcpState.Core;

/// <summary>
/// Keeps the number of published port series within a cap by folding the smallest groups into
/// one <c>port="other"</c>, <c>process="other"</c> series per (state, role), so sums over the
/// family stay exact (the oldest age folds as a maximum, stuck counts as a sum).
/// </summary>
public static class CardinalityLimiter
{
    /// <summary>Number of possible (state, role) buckets, hence the smallest cap that can always be met.</summary>
    public const int MinimumCap = StateLabel.Count * 2;

    /// <summary>The <c>process</c> label value of folded series.</summary>
    public const string OtherProcess = "other";

    /// <summary>
    /// Writes at most <paramref name="maxSeries"/> series to <paramref name="output"/>, sorted by
    /// state, role, port and process (folded series last in their bucket). Returns how many
    /// groups were folded.
    /// </summary>
    /// <param name="groups">All groups; reordered in place.</param>
    /// <param name="owners">Names the owners of the group keys.</param>
    public static int Fold(List<KeyValuePair<GroupKey, GroupStats>> groups, int maxSeries, OwnerTable owners, List<PortGroupCount> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeries, MinimumCap);
        output.Clear();
        var kept = groups.Count;
        if (groups.Count > maxSeries)
        {
            // Largest first; ties broken by key so that the same table always folds the same way.
            groups.Sort((a, b) =>
            {
                var byCount = b.Value.Count.CompareTo(a.Value.Count);
                return byCount != 0 ? byCount : Compare(a.Key, b.Key, owners);
            });
            kept = LargestPrefixThatFits(groups, maxSeries);
        }

        Span<GroupStats> folded = stackalloc GroupStats[MinimumCap];
        folded.Clear();
        for (var i = 0; i < groups.Count; i++)
        {
            var (key, stats) = (groups[i].Key, groups[i].Value);
            if (i < kept)
            {
                output.Add(ToSeries(key.StateIndex, key.Role, key.Port, owners.Name(key.Owner), owners.Pid(key.Owner), stats));
            }
            else
            {
                folded[key.FoldBucket].Add(stats);
            }
        }

        for (var bucket = 0; bucket < MinimumCap; bucket++)
        {
            if (folded[bucket].Count > 0)
            {
                output.Add(ToSeries(bucket >> 1, (SocketRole)(bucket & 1), PortGroupCount.Other, OtherProcess, null, folded[bucket]));
            }
        }

        output.Sort(static (a, b) =>
        {
            var c = a.StateIndex.CompareTo(b.StateIndex);
            if (c == 0) c = ((int)a.Role).CompareTo((int)b.Role);
            if (c == 0) c = (a.Port == PortGroupCount.Other).CompareTo(b.Port == PortGroupCount.Other);
            if (c == 0) c = a.Port.CompareTo(b.Port);
            if (c == 0) c = string.CompareOrdinal(a.Process, b.Process);
            return c != 0 ? c : string.CompareOrdinal(a.Pid, b.Pid);
        });
        return groups.Count - kept;
    }

    private static PortGroupCount ToSeries(int state, SocketRole role, int port, string process, string? pid, in GroupStats stats) =>
        new(state, role, port, stats.Count)
        {
            Process = process,
            Pid = pid,
            OldestAge = stats.OldestAge >= TimeSpan.Zero ? stats.OldestAge : null,
            Stuck = stats.Stuck,
        };

    // The largest k such that the k biggest groups plus one "other" series per (state, role)
    // bucket still present among the rest fit in the cap.
    private static int LargestPrefixThatFits(List<KeyValuePair<GroupKey, GroupStats>> sorted, int maxSeries)
    {
        var bucketsInSuffix = new int[sorted.Count + 1];
        var seen = 0;
        for (var i = sorted.Count - 1; i >= 0; i--)
        {
            seen |= 1 << sorted[i].Key.FoldBucket;
            bucketsInSuffix[i] = System.Numerics.BitOperations.PopCount((uint)seen);
        }

        for (var k = Math.Min(maxSeries, sorted.Count); k >= 0; k--)
        {
            if (k + bucketsInSuffix[k] <= maxSeries)
            {
                return k;
            }
        }

        return 0;
    }

    // Owner ids are numbered in dump order, so ties compare by label values, which are stable.
    private static int Compare(GroupKey a, GroupKey b, OwnerTable owners)
    {
        var c = a.StateIndex.CompareTo(b.StateIndex);
        if (c == 0) c = ((int)a.Role).CompareTo((int)b.Role);
        if (c == 0) c = a.Port.CompareTo(b.Port);
        if (c == 0) c = string.CompareOrdinal(owners.Name(a.Owner), owners.Name(b.Owner));
        return c != 0 ? c : string.CompareOrdinal(owners.Pid(a.Owner), owners.Pid(b.Owner));
    }
}
