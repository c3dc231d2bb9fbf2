namespace TcpState.Core;

/// <summary>
/// The seam to process attribution: which process holds a socket inode. Implemented over
/// /proc/PID/fd; absent when attribution is off.
/// </summary>
public interface ISocketOwnerLookup
{
    /// <summary>The fast path: an inode already attributed.</summary>
    bool TryGetOwner(uint inode, out SocketOwner? owner);

    /// <summary>Looks for the owners of inodes <see cref="TryGetOwner"/> did not know (walks /proc).</summary>
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
