using FsCheck;
using FsCheck.Fluent;
using TcpState.Kernel.Proc;

namespace TcpState.Tests.Kernel;

public class InodeOwnerTableTests
{
    [Fact]
    public void Set_ManyInodes_GrowsAndFindsEveryOne()
    {
        var table = new InodeOwnerTable();
        for (uint inode = 1; inode <= 100_000; inode++)
        {
            table.Set(inode * 7919, (int)(inode % 1000));
        }

        Assert.Equal(100_000, table.Count);
        Assert.True(table.Capacity >= 2 * table.Count, $"capacity {table.Capacity} for {table.Count} inodes");
        Assert.True(System.Numerics.BitOperations.IsPow2(table.Capacity));
        for (uint inode = 1; inode <= 100_000; inode++)
        {
            Assert.True(table.TryGetValue(inode * 7919, out var owner));
            Assert.Equal((int)(inode % 1000), owner);
        }

        Assert.False(table.TryGetValue(7918, out _));
    }

    [Fact]
    public void Prefetch_AnyInode_ChangesNothing()
    {
        var table = new InodeOwnerTable();
        for (uint inode = 1; inode <= 1000; inode++) table.Set(inode, (int)inode);

        for (uint inode = 0; inode <= 2000; inode++) table.Prefetch(inode);
        table.Prefetch(uint.MaxValue);

        Assert.Equal(1000, table.Count);
        for (uint inode = 1; inode <= 2000; inode++)
        {
            Assert.Equal(inode <= 1000, table.TryGetValue(inode, out var owner));
            if (inode <= 1000) Assert.Equal((int)inode, owner);
        }
    }

    [Fact]
    public void Set_KnownInode_ReplacesItsOwner()
    {
        var table = new InodeOwnerTable();
        table.Set(42, 1);
        table.Set(42, 2);

        Assert.Equal(1, table.Count);
        Assert.True(table.TryGetValue(42, out var owner));
        Assert.Equal(2, owner);
    }

    [Fact]
    public void InodeZero_IsNeverStoredNorFound()
    {
        // TIME_WAIT sockets report inode 0: it must never look attributed.
        var table = new InodeOwnerTable();
        table.Set(0, 5);

        Assert.Equal(0, table.Count);
        Assert.False(table.TryGetValue(0, out var owner));
        Assert.Equal(-1, owner);
        Assert.False(table.Remove(0, 5));
    }

    [Fact]
    public void Remove_OtherOwner_KeepsTheInode()
    {
        var table = new InodeOwnerTable();
        table.Set(42, 1);

        Assert.False(table.Remove(42, 2));
        Assert.True(table.TryGetValue(42, out var owner));
        Assert.Equal(1, owner);
        Assert.True(table.Remove(42, 1));
        Assert.False(table.ContainsKey(42));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Remove_MiddleOfACollisionRun_KeepsTheRestReachable()
    {
        var table = new InodeOwnerTable();
        var colliding = InodesSharingOneHomeSlot(table.Capacity, count: 5);
        for (var i = 0; i < colliding.Length; i++) table.Set(colliding[i], i);
        Assert.Equal(16, table.Capacity); // still the first size: the five share a run

        Assert.True(table.Remove(colliding[1], 1));
        Assert.True(table.Remove(colliding[3], 3));

        foreach (var i in new[] { 0, 2, 4 })
        {
            Assert.True(table.TryGetValue(colliding[i], out var owner), $"inode {colliding[i]} lost after removals");
            Assert.Equal(i, owner);
        }

        Assert.False(table.ContainsKey(colliding[1]));
        Assert.False(table.ContainsKey(colliding[3]));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Remove_MostInodes_ShrinksAndKeepsTheRest()
    {
        var table = new InodeOwnerTable();
        for (uint inode = 1; inode <= 10_000; inode++) table.Set(inode, 0);
        var grown = table.Capacity;
        for (uint inode = 1; inode <= 9_990; inode++) Assert.True(table.Remove(inode, 0));

        Assert.Equal(10, table.Count);
        Assert.True(table.Capacity < grown / 8, $"capacity {table.Capacity} after shrinking from {grown}");
        for (uint inode = 9_991; inode <= 10_000; inode++) Assert.True(table.ContainsKey(inode));
    }

    [Fact]
    public void AnySequenceOfSetsAndRemoves_AgreesWithADictionary()
    {
        // Inodes from a small range, so runs collide, wrap around the end and shift back often.
        var settings = Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(42, 7);
        Check.One(settings, Prop.ForAll<(byte Inode, byte Owner, bool Remove)[]>(operations =>
        {
            var table = new InodeOwnerTable();
            var model = new Dictionary<uint, int>();
            foreach (var (inodeByte, ownerByte, remove) in operations)
            {
                var inode = (uint)(inodeByte % 48);
                var owner = ownerByte % 4;
                if (remove)
                {
                    var expected = inode != 0 && model.TryGetValue(inode, out var held) && held == owner;
                    if (expected) model.Remove(inode);
                    if (table.Remove(inode, owner) != expected) return false;
                }
                else if (inode != 0)
                {
                    model[inode] = owner;
                    table.Set(inode, owner);
                }
                else
                {
                    table.Set(inode, owner);
                }
            }

            if (table.Count != model.Count || table.Capacity < 2 * table.Count) return false;
            for (uint inode = 0; inode < 48; inode++)
            {
                var found = table.TryGetValue(inode, out var owner);
                if (found != model.TryGetValue(inode, out var expected) || (found && owner != expected)) return false;
            }

            return true;
        }));
    }

    // Inodes whose home slot is the same in a table of this capacity. This mirrors the table's
    // Fibonacci hash: should the hash change, change it here too (the property test above covers
    // collisions whatever the hash).
    private static uint[] InodesSharingOneHomeSlot(int capacity, int count)
    {
        var shift = 32 - System.Numerics.BitOperations.Log2((uint)capacity);
        var found = new List<uint>();
        for (uint inode = 1; found.Count < count && inode < 1_000_000; inode++)
        {
            if ((inode * 2654435769u) >> shift == 3) found.Add(inode);
        }

        Assert.Equal(count, found.Count);
        return [.. found];
    }
}
