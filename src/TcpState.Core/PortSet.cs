namespace TcpState.Core;

/// <summary>A set of TCP ports as a 65,536-bit map: O(1), 8 KiB, no allocation per sample.</summary>
public sealed class PortSet
{
    private readonly ulong[] _bits = new ulong[65536 / 64];

    public void Add(ushort port) => _bits[port >> 6] |= 1UL << (port & 63);

    public bool Contains(ushort port) => (_bits[port >> 6] & (1UL << (port & 63))) != 0;

    public void Clear() => Array.Clear(_bits);

    public void CopyFrom(PortSet other) => other._bits.CopyTo(_bits, 0);
}
