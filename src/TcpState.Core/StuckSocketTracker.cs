namespace TcpState.Core;

/// <summary>
/// Remembers when each socket in a state that can get stuck (close_wait, by default) was first
/// seen, on the monotonic clock. Ages are lower bounds: time since first seen, reset when the
/// exporter starts. A socket not seen in a sample is forgotten at the end of that sample, so
/// memory is proportional to the tracked sockets.
/// </summary>
public sealed class StuckSocketTracker
{
    private readonly bool[] _tracked = new bool[StateLabel.Count];
    private readonly Dictionary<SocketIdentity, Entry> _firstSeen = new();
    private readonly List<SocketIdentity> _gone = new();
    private readonly TimeProvider _time;
    private long _sample;
    private long _now;

    public StuckSocketTracker(IEnumerable<int> trackedStates, TimeSpan threshold, TimeProvider time)
    {
        foreach (var state in trackedStates) _tracked[state] = true;
        Threshold = threshold;
        _time = time;
    }

    /// <summary>Sockets at least this old count as stuck.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Sockets being followed.</summary>
    public int Count => _firstSeen.Count;

    public bool Tracks(int stateIndex) => _tracked[stateIndex];

    /// <summary>Starts a sample: ages are measured against this moment.</summary>
    public void BeginSample()
    {
        _sample++;
        _now = _time.GetTimestamp();
    }

    /// <summary>Marks the socket as seen in this sample and returns its age.</summary>
    public TimeSpan Observe(in SocketRecord socket, int stateIndex)
    {
        var identity = SocketIdentity.Of(socket, stateIndex);
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_firstSeen, identity, out var existed);
        if (!existed) entry.FirstSeen = _now;
        entry.Sample = _sample;
        return _time.GetElapsedTime(entry.FirstSeen, _now);
    }

    /// <summary>Forgets every socket not seen in this sample.</summary>
    public void EndSample()
    {
        _gone.Clear();
        foreach (var (identity, entry) in _firstSeen)
        {
            if (entry.Sample != _sample) _gone.Add(identity);
        }

        foreach (var identity in _gone) _firstSeen.Remove(identity);
    }

    private struct Entry
    {
        public long FirstSeen;
        public long Sample;
    }
}
