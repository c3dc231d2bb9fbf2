using TcpState.Core;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// Makes, for every socket of a dump, the lookups the sampler makes for attribution (inode to
/// process, and optionally process to the sample's owner id) and nothing else: a dump into it,
/// minus a dump into a <see cref="CountingSink"/>, is what those lookups cost in place, with the
/// dump's records streaming through the caches between them.
/// </summary>
internal sealed class OwnerLookupSink(ISocketOwnerLookup owners, OwnerTable? ids) : ISocketSink
{
    /// <summary>Sockets attributed (a sum of ids with an owner table, so the JIT cannot drop the lookup).</summary>
    public long Found { get; private set; }

    /// <summary>Starts a dump, as the aggregator's Reset does: a fresh owner table.</summary>
    public void Reset()
    {
        Found = 0;
        ids?.Clear();
    }

    public void OnSocket(in SocketRecord socket)
    {
        if (socket.Inode != 0 && owners.TryGetOwner(socket.Inode, out var owner))
        {
            Found += ids is null ? 1 : ids.IdOf(owner!) + 1;
        }
    }
}
