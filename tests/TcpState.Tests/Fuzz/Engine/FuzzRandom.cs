namespace TcpState.Tests.Fuzz;

/// <summary>
/// SplitMix64: a tiny, fast generator whose whole state is one number, so that every fuzz case can
/// be re-created from (run seed, case index) alone, on any machine and .NET version
/// (<see cref="Random"/> with a seed does not promise that across versions).
/// </summary>
public sealed class FuzzRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    private ulong _state;

    public FuzzRandom(ulong seed) => _state = seed;

    /// <summary>The seed of case <paramref name="caseIndex"/> of a run: neighbouring cases get unrelated streams.</summary>
    public static ulong CaseSeed(ulong runSeed, long caseIndex) => Mix(runSeed ^ Mix((ulong)caseIndex * Gamma + 1));

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A number in [0, <paramref name="bound"/>); <paramref name="bound"/> must be positive.</summary>
    public int Below(int bound) => (int)((NextUInt64() >> 33) % (ulong)bound);

    /// <summary>A number in [<paramref name="low"/>, <paramref name="high"/>], both included.</summary>
    public int Between(int low, int high) => low + Below(high - low + 1);

    /// <summary>True once in <paramref name="n"/> calls on average.</summary>
    public bool OneIn(int n) => Below(n) == 0;

    public bool Coin() => (NextUInt64() & 1) == 0;

    public byte NextByte() => (byte)(NextUInt64() >> 56);

    public void Fill(Span<byte> destination)
    {
        foreach (ref var b in destination)
        {
            b = NextByte();
        }
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
