using TcpState.Core;

namespace TcpState.Tests.Core;

public class CardinalityLimiterTests
{
    [Fact]
    public void Fold_UnderTheCap_KeepsEveryGroupSorted()
    {
        var groups = Groups((StateLabel.Established, SocketRole.Client, 443, 5), (StateLabel.Established, SocketRole.Server, 80, 9));
        var output = new List<PortGroupCount>();

        var folded = CardinalityLimiter.Fold(groups, 1000, Owners, output);

        Assert.Equal(0, folded);
        Assert.Equal([new(StateLabel.Established, SocketRole.Server, 80, 9), new(StateLabel.Established, SocketRole.Client, 443, 5)], output);
    }

    [Fact]
    public void Fold_OverTheCap_FoldsTheSmallestIntoOtherAndKeepsTheSums()
    {
        var groups = new List<KeyValuePair<GroupKey, GroupStats>>();
        for (ushort port = 1; port <= 100; port++)
        {
            groups.Add(new(new GroupKey(StateLabel.TimeWait, SocketRole.Client, port), Stats(port)));
        }

        var output = new List<PortGroupCount>();
        var folded = CardinalityLimiter.Fold(groups, 30, Owners, output);

        Assert.Equal(30, output.Count);
        Assert.Equal(71, folded);
        var other = Assert.Single(output, g => g.Port == PortGroupCount.Other);
        Assert.Equal(Enumerable.Range(1, 71).Sum(), other.Count);
        Assert.Equal(Enumerable.Range(1, 100).Sum(), output.Sum(g => g.Count));
        Assert.DoesNotContain(output, g => g.Port is > 0 and <= 71);
    }

    [Fact]
    public void Fold_ManyBuckets_NeverExceedsTheCap()
    {
        var groups = new List<KeyValuePair<GroupKey, GroupStats>>();
        for (var state = 0; state < StateLabel.Count; state++)
        {
            for (ushort port = 1; port <= 50; port++)
            {
                groups.Add(new(new GroupKey(state, (SocketRole)(port % 2), port), Stats(1 + port % 7)));
            }
        }

        var output = new List<PortGroupCount>();
        CardinalityLimiter.Fold(groups, CardinalityLimiter.MinimumCap, Owners, output);

        Assert.True(output.Count <= CardinalityLimiter.MinimumCap);
        Assert.Equal(groups.Sum(g => g.Value.Count), output.Sum(g => g.Count));
        for (var state = 0; state < StateLabel.Count; state++)
        {
            Assert.Equal(groups.Where(g => g.Key.StateIndex == state).Sum(g => g.Value.Count), output.Where(g => g.StateIndex == state).Sum(g => g.Count));
        }
    }

    [Fact]
    public void Fold_SameTableTwice_FoldsTheSameWay()
    {
        var a = new List<PortGroupCount>();
        var b = new List<PortGroupCount>();
        var groups = Enumerable.Range(1, 200).Select(p => new KeyValuePair<GroupKey, GroupStats>(new GroupKey(0, SocketRole.Client, (ushort)p), Stats(3))).ToList();

        CardinalityLimiter.Fold(groups, 50, Owners, a);
        groups.Reverse();
        CardinalityLimiter.Fold(groups, 50, Owners, b);

        Assert.Equal(a, b);
    }

    private static readonly OwnerTable Owners = new(withPid: false);

    private static GroupStats Stats(long count, TimeSpan? age = null, long stuck = 0)
    {
        var stats = default(GroupStats);
        stats.Add(count, age ?? TimeSpan.MinValue, stuck);
        return stats;
    }

    [Fact]
    public void Fold_TrackedGroups_FoldOldestAgeAsMaximumAndStuckAsSum()
    {
        var groups = new List<KeyValuePair<GroupKey, GroupStats>>();
        for (ushort port = 1; port <= 40; port++)
        {
            groups.Add(new(new GroupKey(StateLabel.CloseWait, SocketRole.Server, port), Stats(port, TimeSpan.FromSeconds(port), port % 2)));
        }

        var output = new List<PortGroupCount>();
        CardinalityLimiter.Fold(groups, CardinalityLimiter.MinimumCap, Owners, output);

        var other = Assert.Single(output, g => g.Port == PortGroupCount.Other);
        var folded = groups.Where(g => output.All(o => o.Port != g.Key.Port)).ToList();
        Assert.Equal(folded.Max(g => g.Value.OldestAge), other.OldestAge);
        Assert.Equal(folded.Sum(g => g.Value.Stuck), other.Stuck);
        Assert.Equal(CardinalityLimiter.OtherProcess, other.Process);
        Assert.All(output, g => Assert.NotNull(g.OldestAge));
    }

    private static List<KeyValuePair<GroupKey, GroupStats>> Groups(params (int State, SocketRole Role, ushort Port, int Count)[] groups) =>
        groups.Select(g => new KeyValuePair<GroupKey, GroupStats>(new GroupKey(g.State, g.Role, g.Port), Stats(g.Count))).ToList();
}
