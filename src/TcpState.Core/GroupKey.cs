namespace TcpState.Core;

/// <summary>
/// The identity of one <c>tcpstate_port_sockets</c> series: state, role and port, packed into one
/// 64-bit value so that counting a socket is one cheap dictionary probe. The upper 32 bits are
/// reserved for an owner (process) index.
/// </summary>
public readonly struct GroupKey(int stateIndex, SocketRole role, ushort port) : IEquatable<GroupKey>
{
    private readonly ulong _value = (ulong)port | ((ulong)role << 16) | ((ulong)stateIndex << 17);

    public int StateIndex => (int)((_value >> 17) & 0xF);

    public SocketRole Role => (SocketRole)((_value >> 16) & 1);

    public ushort Port => (ushort)_value;

    /// <summary>The (state, role) pair alone, 0..23: the bucket a folded group goes to.</summary>
    public int FoldBucket => (int)((_value >> 16) & 0x1F);

    public bool Equals(GroupKey other) => _value == other._value;

    public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(GroupKey left, GroupKey right) => left.Equals(right);

    public static bool operator !=(GroupKey left, GroupKey right) => !left.Equals(right);
}
