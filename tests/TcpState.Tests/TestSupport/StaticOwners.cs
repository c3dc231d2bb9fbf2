using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>An inode-to-owner table the test fills in, for aggregation rules that do not depend on /proc.</summary>
public sealed class StaticOwners : ISocketOwnerLookup
{
    public Dictionary<uint, SocketOwner> Known { get; } = [];

    /// <summary>Owners that only <see cref="Resolve"/> finds, as a /proc walk would.</summary>
    public Dictionary<uint, SocketOwner> FoundByWalk { get; } = [];

    private readonly List<SocketOwner> _indexed = [];
    /// <summary>Owners that <see cref="Prepare"/> finds, as the walk before a cold map's first dump would.</summary>
    public Dictionary<uint, SocketOwner> FoundByPrepare { get; } = [];

    public int Walks { get; private set; }

    public int Preparations { get; private set; }

    // The index of an owner is its position in a list grown as owners are asked for; Resolve
    // starts a new list, as indexes need only last until then.
    public bool TryGetOwnerIndex(uint inode, out int index)
    {
        index = -1;
        if (!Known.TryGetValue(inode, out var owner)) return false;
        index = _indexed.IndexOf(owner);
        if (index < 0)
        {
            index = _indexed.Count;
            _indexed.Add(owner);
        }

        return true;
    }

    public SocketOwner OwnerAt(int index) => _indexed[index];

    public void Prepare()
    {
        Preparations++;
        foreach (var (inode, owner) in FoundByPrepare) Known[inode] = owner;
    }

    public void Resolve(IReadOnlyList<uint> unknownInodes)
    {
        Walks++;
        _indexed.Clear();
        foreach (var inode in unknownInodes)
        {
            if (FoundByWalk.TryGetValue(inode, out var owner)) Known[inode] = owner;
        }
    }
}
