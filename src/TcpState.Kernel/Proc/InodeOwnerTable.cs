using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace TcpState.Kernel.Proc;

/// <summary>
/// A map from socket inode to a small owner index, as one flat array of 8-byte slots with linear
/// probing: the attribution lookup made for every socket of a dump touches one cache line, where
/// a <c>Dictionary</c> of a million entries costs a bucket, an entry and an object hop, each a
/// cache miss. Capacity is a power of two, at most half full; removal shifts the following run
/// back (no tombstones), so lookups never slow down with churn. Inode 0 is the empty slot's key:
/// the kernel gives no socket inode 0 (TIME_WAIT sockets report 0 because they have none), so it
/// is never stored and never found. Not thread-safe.
/// </summary>
public sealed unsafe class InodeOwnerTable
{
    private const int MinimumCapacity = 16;

    private Slot[] _slots = new Slot[MinimumCapacity];
    private int _mask = MinimumCapacity - 1;
    private int _shift = 32 - BitOperations.Log2(MinimumCapacity);

    /// <summary>Inodes in the table.</summary>
    public int Count { get; private set; }

    /// <summary>Slots allocated (a power of two, at least twice <see cref="Count"/>).</summary>
    public int Capacity => _slots.Length;

    public bool TryGetValue(uint inode, out int owner)
    {
        if (inode != 0)
        {
            var slots = _slots;
            // The table is never more than half full: an empty slot ends a probe long before the bound.
            for (int i = Home(inode), probes = 0; probes < slots.Length; i = (i + 1) & _mask, probes++)
            {
                var slot = slots[i];
                if (slot.Inode == inode)
                {
                    owner = slot.Owner;
                    return true;
                }

                if (slot.Inode == 0) break;
            }
        }

        owner = -1;
        return false;
    }

    /// <summary>Starts loading the inode's home slot into the cache (x86; elsewhere it does nothing).</summary>
    /// <remarks>
    /// The slots need no pinning: a prefetch reads nothing into the program and cannot fault, so
    /// an address the GC made stale by moving the array at that moment only wastes the hint.
    /// </remarks>
    public void Prefetch(uint inode)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _slots[Home(inode)]));
        }
    }

    public bool ContainsKey(uint inode) => TryGetValue(inode, out _);

    /// <summary>Adds the inode or replaces its owner. Inode 0 is ignored (see the class summary).</summary>
    public void Set(uint inode, int owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(owner);
        if (inode == 0) return;
        if ((Count + 1) * 2 > _slots.Length)
        {
            Resize(_slots.Length * 2);
        }

        for (int i = Home(inode), probes = 0; probes < _slots.Length; i = (i + 1) & _mask, probes++)
        {
            ref var slot = ref _slots[i];
            if (slot.Inode == inode)
            {
                slot.Owner = owner;
                return;
            }

            if (slot.Inode == 0)
            {
                slot = new Slot(inode, owner);
                Count++;
                return;
            }
        }

        throw new InvalidOperationException("The inode table is full, which its load limit rules out.");
    }

    /// <summary>Removes the inode if <paramref name="owner"/> holds it; true when it did.</summary>
    public bool Remove(uint inode, int owner)
    {
        if (inode == 0) return false;
        var i = Home(inode);
        for (var probes = 0; _slots[i].Inode != inode; i = (i + 1) & _mask, probes++)
        {
            if (_slots[i].Inode == 0 || probes == _slots.Length) return false;
        }

        if (_slots[i].Owner != owner) return false;

        // Backward shift: walk the run after the hole and move back every entry whose home does
        // not lie (cyclically) between the hole and its slot, so no probe meets a gap early.
        var hole = i;
        for (int j = (i + 1) & _mask, probes = 0; _slots[j].Inode != 0 && probes < _slots.Length; j = (j + 1) & _mask, probes++)
        {
            var home = Home(_slots[j].Inode);
            if (((j - home) & _mask) >= ((j - hole) & _mask))
            {
                _slots[hole] = _slots[j];
                hole = j;
            }
        }

        _slots[hole] = default;
        Count--;
        if (_slots.Length > MinimumCapacity && Count * 8 < _slots.Length)
        {
            // Give memory back after a large population left; growing at 1/2 and shrinking at
            // 1/8 keeps a table that hovers around one size from resizing back and forth.
            Resize(Math.Max(MinimumCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2))));
        }

        return true;
    }

    // Fibonacci hashing: inodes are handed out sequentially, and the top bits of the product
    // spread a run of consecutive numbers over the whole table.
    private int Home(uint inode) => (int)((inode * 2654435769u) >> _shift) & _mask;

    private void Resize(int capacity)
    {
        var old = _slots;
        _slots = new Slot[capacity];
        _mask = capacity - 1;
        _shift = 32 - BitOperations.Log2((uint)capacity);
        Count = 0;
        foreach (var slot in old)
        {
            if (slot.Inode != 0) Set(slot.Inode, slot.Owner);
        }
    }

    private record struct Slot(uint Inode, int Owner);
}
