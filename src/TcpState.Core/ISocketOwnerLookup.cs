namespace TcpState.Core;

/// <summary>
/// The seam to process attribution: which process holds a socket inode. Implemented over
/// /proc/PID/fd; absent when attribution is off.
/// </summary>
public interface ISocketOwnerLookup
{
    /// <summary>
    /// The fast path: the owner of an inode already attributed, as the owner's index, a small
    /// non-negative number that stands for one owner until the next <see cref="Resolve"/>
    /// (<see cref="OwnerAt"/> gives it), so that a caller can keep per-owner data in an array
    /// instead of a dictionary.
    /// </summary>
    bool TryGetOwnerIndex(uint inode, out int index);

    /// <summary>The owner with this index (from <see cref="TryGetOwnerIndex"/> since the last <see cref="Resolve"/>).</summary>
    SocketOwner OwnerAt(int index);

    /// <summary>The owner of an inode already attributed: <see cref="TryGetOwnerIndex"/> and <see cref="OwnerAt"/> in one.</summary>
    bool TryGetOwner(uint inode, out SocketOwner? owner)
    {
        owner = TryGetOwnerIndex(inode, out var index) ? OwnerAt(index) : null;
        return owner is not null;
    }

    /// <summary>
    /// A hint that <see cref="TryGetOwnerIndex"/> will be asked for this inode shortly: starts
    /// loading what that lookup reads into the cache. Changes nothing else.
    /// </summary>
    void Prefetch(uint inode)
    {
    }

    /// <summary>Looks for the owners of inodes <see cref="TryGetOwnerIndex"/> did not know (walks /proc).</summary>
    void Resolve(IReadOnlyList<uint> unknownInodes);

    /// <summary>
    /// Called before each dump. A lookup that knows nothing yet learns what it can now, so that
    /// the first dump attributes its sockets as they stream past instead of holding every one
    /// back for <see cref="Resolve"/> (a million held-back sockets are ~45 MB kept for good).
    /// </summary>
    void Prepare()
    {
    }
}
