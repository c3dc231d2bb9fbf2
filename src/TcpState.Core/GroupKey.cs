namespace TcpState.Core;

/// <summary>
/// The identity of one series of the per-port families: state, role, port and owner, packed
/// into one 64-bit value so that counting a socket is one cheap dictionary probe.
/// </summary>
public readonly struct GroupKey : IEquatable<GroupKey>
{
    private readonly ulong _value;

    public GroupKey(int stateIndex, SocketRole role, ushort port, int owner = OwnerTable.None)
    {
        _value = port | ((ulong)role << 16) | ((ulong)stateIndex << 17) | ((ulong)(uint)owner << 32);
    }

    public int StateIndex => (int)((_value >> 17) & 0xF);

    public SocketRole Role => (SocketRole)((_value >> 16) & 1);

    public ushort Port => (ushort)_value;

    /// <summary>The owner's id in this sample's <see cref="OwnerTable"/>.</summary>
    public int Owner => (int)(_value >> 32);

    /// <summary>The (state, role) pair alone, 0..23: the bucket a folded group goes to.</summary>
    public int FoldBucket => (int)((_value >> 16) & 0x1F);

    public GroupKey WithOwner(int owner) => new(StateIndex, Role, Port, owner);

    public bool Equals(GroupKey other) => _value == other._value;

    public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(GroupKey left, GroupKey right) => left.Equals(right);

    public static bool operator !=(GroupKey left, GroupKey right) => !left.Equals(right);
}
