namespace TcpState.Core;

/// <summary>What one group accumulates during a sample.</summary>
public struct GroupStats
{
    public long Count;

    /// <summary>Age of the oldest tracked socket; <see cref="TimeSpan.MinValue"/> when the state is not tracked.</summary>
    public TimeSpan OldestAge;

    /// <summary>Tracked sockets at least as old as the threshold.</summary>
    public long Stuck;

    public void Add(long count, TimeSpan age, long stuck)
    {
        if (Count == 0) OldestAge = TimeSpan.MinValue;
        Count += count;
        if (age > OldestAge) OldestAge = age;
        Stuck += stuck;
    }

    public void Add(in GroupStats other) => Add(other.Count, other.OldestAge, other.Stuck);
}
