using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>An inode-to-owner table the test fills in, for aggregation rules that do not depend on /proc.</summary>
public sealed class StaticOwners : ISocketOwnerLookup
{
    public Dictionary<uint, SocketOwner> Known { get; } = [];

    /// <summary>Owners that only <see cref="Resolve"/> finds, as a /proc walk would.</summary>
    public Dictionary<uint, SocketOwner> FoundByWalk { get; } = [];

    /// <summary>Owners that <see cref="Prepare"/> finds, as the walk before a cold map's first dump would.</summary>
    public Dictionary<uint, SocketOwner> FoundByPrepare { get; } = [];

    public int Walks { get; private set; }

    public int Preparations { get; private set; }

    public bool TryGetOwner(uint inode, out SocketOwner? owner) => Known.TryGetValue(inode, out owner);

    public void Prepare()
    {
        Preparations++;
        foreach (var (inode, owner) in FoundByPrepare) Known[inode] = owner;
    }

    public void Resolve(IReadOnlyList<uint> unknownInodes)
    {
        Walks++;
        foreach (var inode in unknownInodes)
        {
            if (FoundByWalk.TryGetValue(inode, out var owner)) Known[inode] = owner;
        }
    }
}
