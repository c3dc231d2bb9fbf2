namespace TcpState.Core;

/// <summary>
/// Keeps the number of published port series within a cap by folding the smallest groups into
/// one <c>port="other"</c> series per (state, role), so sums over the family stay exact.
/// </summary>
public static class CardinalityLimiter
{
    /// <summary>Number of possible (state, role) buckets, hence the smallest cap that can always be met.</summary>
    public const int MinimumCap = StateLabel.Count * 2;

    /// <summary>
    /// Writes at most <paramref name="maxSeries"/> series to <paramref name="output"/>, sorted by
    /// state, role and port (folded series last in their bucket). Returns how many groups were folded.
    /// </summary>
    /// <param name="groups">All groups; reordered in place.</param>
    public static int Fold(List<KeyValuePair<GroupKey, int>> groups, int maxSeries, List<PortGroupCount> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeries, MinimumCap);
        output.Clear();
        var kept = groups.Count;
        if (groups.Count > maxSeries)
        {
            // Largest first; ties broken by key so that the same table always folds the same way.
            groups.Sort(static (a, b) =>
            {
                var byCount = b.Value.CompareTo(a.Value);
                return byCount != 0 ? byCount : Compare(a.Key, b.Key);
            });
            kept = LargestPrefixThatFits(groups, maxSeries);
        }

        Span<long> folded = stackalloc long[MinimumCap];
        folded.Clear();
        for (var i = 0; i < groups.Count; i++)
        {
            var (key, count) = (groups[i].Key, groups[i].Value);
            if (i < kept)
            {
                output.Add(new PortGroupCount(key.StateIndex, key.Role, key.Port, count));
            }
            else
            {
                folded[key.FoldBucket] += count;
            }
        }

        for (var bucket = 0; bucket < MinimumCap; bucket++)
        {
            if (folded[bucket] > 0)
            {
                output.Add(new PortGroupCount(bucket >> 1, (SocketRole)(bucket & 1), PortGroupCount.Other, folded[bucket]));
            }
        }

        output.Sort(static (a, b) =>
        {
            var c = a.StateIndex.CompareTo(b.StateIndex);
            if (c == 0) c = a.Role.CompareTo(b.Role);
            if (c == 0) c = (a.Port == PortGroupCount.Other).CompareTo(b.Port == PortGroupCount.Other);
            return c != 0 ? c : a.Port.CompareTo(b.Port);
        });
        return groups.Count - kept;
    }

    // The largest k such that the k biggest groups plus one "other" series per (state, role)
    // bucket still present among the rest fit in the cap.
    private static int LargestPrefixThatFits(List<KeyValuePair<GroupKey, int>> sorted, int maxSeries)
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

    private static int Compare(GroupKey a, GroupKey b)
    {
        var c = a.StateIndex.CompareTo(b.StateIndex);
        if (c == 0) c = a.Role.CompareTo(b.Role);
        return c != 0 ? c : a.Port.CompareTo(b.Port);
    }
}
