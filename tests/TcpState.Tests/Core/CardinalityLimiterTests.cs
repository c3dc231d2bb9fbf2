using TcpState.Core;

namespace TcpState.Tests.Core;

public class CardinalityLimiterTests
{
    [Fact]
    public void Fold_UnderTheCap_KeepsEveryGroupSorted()
    {
        var groups = Groups((StateLabel.Established, SocketRole.Client, 443, 5), (StateLabel.Established, SocketRole.Server, 80, 9));
        var output = new List<PortGroupCount>();

        var folded = CardinalityLimiter.Fold(groups, 1000, output);

        Assert.Equal(0, folded);
        Assert.Equal([new(StateLabel.Established, SocketRole.Server, 80, 9), new(StateLabel.Established, SocketRole.Client, 443, 5)], output);
    }

    [Fact]
    public void Fold_OverTheCap_FoldsTheSmallestIntoOtherAndKeepsTheSums()
    {
        var groups = new List<KeyValuePair<GroupKey, int>>();
        for (ushort port = 1; port <= 100; port++)
        {
            groups.Add(new(new GroupKey(StateLabel.TimeWait, SocketRole.Client, port), port));
        }

        var output = new List<PortGroupCount>();
        var folded = CardinalityLimiter.Fold(groups, 30, output);

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
        var groups = new List<KeyValuePair<GroupKey, int>>();
        for (var state = 0; state < StateLabel.Count; state++)
        {
            for (ushort port = 1; port <= 50; port++)
            {
                groups.Add(new(new GroupKey(state, (SocketRole)(port % 2), port), 1 + port % 7));
            }
        }

        var output = new List<PortGroupCount>();
        CardinalityLimiter.Fold(groups, CardinalityLimiter.MinimumCap, output);

        Assert.True(output.Count <= CardinalityLimiter.MinimumCap);
        Assert.Equal(groups.Sum(g => (long)g.Value), output.Sum(g => g.Count));
        for (var state = 0; state < StateLabel.Count; state++)
        {
            Assert.Equal(groups.Where(g => g.Key.StateIndex == state).Sum(g => (long)g.Value), output.Where(g => g.StateIndex == state).Sum(g => g.Count));
        }
    }

    [Fact]
    public void Fold_SameTableTwice_FoldsTheSameWay()
    {
        var a = new List<PortGroupCount>();
        var b = new List<PortGroupCount>();
        var groups = Enumerable.Range(1, 200).Select(p => new KeyValuePair<GroupKey, int>(new GroupKey(0, SocketRole.Client, (ushort)p), 3)).ToList();

        CardinalityLimiter.Fold(groups, 50, a);
        groups.Reverse();
        CardinalityLimiter.Fold(groups, 50, b);

        Assert.Equal(a, b);
    }

    private static List<KeyValuePair<GroupKey, int>> Groups(params (int State, SocketRole Role, ushort Port, int Count)[] groups) =>
        groups.Select(g => new KeyValuePair<GroupKey, int>(new GroupKey(g.State, g.Role, g.Port), g.Count)).ToList();
}
