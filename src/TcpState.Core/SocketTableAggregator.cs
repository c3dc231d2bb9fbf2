using System.Runtime.InteropServices;

namespace TcpState.Core;

/// <summary>
/// Counts the sockets of one dump as they stream past: by state, and by (state, role, port,
/// owning process) with the age of the oldest tracked socket and the stuck count, plus the
/// listen queues. Sockets whose inode is not yet attributed are held back until one /proc walk
/// resolves them all. Its tables are reused from sample to sample, so a steady-state sample
/// allocates nothing per socket.
/// </summary>
public sealed class SocketTableAggregator : ISocketSink
{
    /// <summary>
    /// The owner lookup of a socket is made this many sockets after it arrived, its table slot
    /// prefetched on arrival: while the kernel's dump streams through the caches each lookup is
    /// a cache miss (~100 ns), and this way the misses of consecutive sockets overlap instead of
    /// following one another. The sockets are still counted in arrival order.
    /// </summary>
    public const int DefaultLookahead = 16;

    private readonly long[] _stateCounts = new long[StateLabel.Count];
    private readonly Dictionary<GroupKey, GroupStats> _groups = new();
    private readonly Dictionary<(ushort Port, int Owner), (long Length, long Limit)> _queues = new();
    private readonly Dictionary<ushort, uint> _listenerInodes = new();
    private readonly List<PendingSocket> _pending = new();
    private readonly List<uint> _unknownInodes = new();
    private readonly List<KeyValuePair<GroupKey, GroupStats>> _groupList = new();
    private readonly List<PortGroupCount> _series = new();
    private readonly PortSet _configuredServerPorts = new();
    private readonly PortSet _serverPorts = new();
    private readonly ISocketOwnerLookup? _owners;
    private readonly StuckSocketTracker? _tracker;
    private readonly OwnerTable _ownerTable;
    private readonly Dictionary<Destination, (long InUse, long TimeWait)> _destinations = new();
    // Sockets whose owner lookup waits a few sockets (see OnSocket); a ring of Lookahead entries.
    private readonly PendingSocket[] _inFlight;
    private int _inFlightNext;
    private int _inFlightCount;
    // Owner index (ISocketOwnerLookup.TryGetOwnerIndex) -> owner id, valid where Stamp is _ownerStamp.
    private (int Stamp, int Id)[] _idByOwnerIndex = new (int, int)[64];
    private int _ownerStamp;
    private long _unattributed;
    private PortRange? _range;

    /// <param name="configuredServerPorts">Ports always treated as server ports, listening or not.</param>
    /// <param name="owners">Process attribution; null leaves the process label empty.</param>
    /// <param name="tracker">Stuck-socket ages; null tracks none.</param>
    /// <param name="pidLabel">Whether owners are told apart by pid as well as by name.</param>
    /// <param name="lookahead">How many sockets an owner lookup trails the socket's arrival by (see <see cref="DefaultLookahead"/>); 0 looks each up at once.</param>
    public SocketTableAggregator(IEnumerable<ushort> configuredServerPorts, ISocketOwnerLookup? owners = null, StuckSocketTracker? tracker = null, bool pidLabel = false, int lookahead = DefaultLookahead)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lookahead);
        foreach (var port in configuredServerPorts) _configuredServerPorts.Add(port);
        _owners = owners;
        _inFlight = new PendingSocket[owners is null ? 0 : lookahead];
        _tracker = tracker;
        _ownerTable = new OwnerTable(pidLabel);
        ListenerSink = new ListenerCollector(this);
        Reset();
    }

    /// <summary>Feed it the listener pre-dump: it learns which ports are server ports and whose listeners they are.</summary>
    public ISocketSink ListenerSink { get; }

    /// <summary>Forgets the previous sample's counts (keeps the tables' capacity).</summary>
    /// <param name="range">This sample's ephemeral port range; null counts no destinations.</param>
    public void Reset(PortRange? range = null)
    {
        _range = range;
        _destinations.Clear();
        Array.Clear(_stateCounts);
        _groups.Clear();
        _queues.Clear();
        _listenerInodes.Clear();
        // Few sockets are held back once attribution is warm: a capacity far above what the last
        // sample needed (a burst of new processes) is given back rather than kept for good.
        var trim = _pending.Capacity > 65_536 && _pending.Count < _pending.Capacity / 4;
        _pending.Clear();
        _unknownInodes.Clear();
        _inFlightNext = 0;
        _inFlightCount = 0;
        if (trim)
        {
            _pending.TrimExcess();
            _unknownInodes.TrimExcess();
        }

        _ownerTable.Clear();
        ForgetOwnerIndexes();
        _unattributed = 0;
        _serverPorts.CopyFrom(_configuredServerPorts);
        _tracker?.BeginSample();
    }

    public void OnSocket(in SocketRecord socket)
    {
        var state = StateLabel.FromKernel(socket.State);
        _stateCounts[state]++;
        var isListener = state == StateLabel.Listen;
        if (isListener) LearnListener(socket);

        var role = isListener || _serverPorts.Contains(socket.LocalPort) ? SocketRole.Server : SocketRole.Client;
        if (role == SocketRole.Client && _range is not null && _range.Contains(socket.LocalPort))
        {
            CountDestination(socket, state);
        }

        var key = new GroupKey(state, role, role == SocketRole.Server ? socket.LocalPort : socket.RemotePort);
        var age = TimeSpan.MinValue;
        var stuck = false;
        if (_tracker is not null && _tracker.Tracks(state))
        {
            age = _tracker.Observe(socket, state);
            stuck = age >= _tracker.Threshold;
        }

        if (_owners is null)
        {
            Count(key, age, stuck, isListener, socket.ReceiveQueue, socket.SendQueue);
            return;
        }

        if (socket.Inode == 0)
        {
            // No inode: TIME_WAIT, request and orphaned sockets, which no process holds. On the
            // server side they belong to the service listening on the port.
            key = key.WithOwner(role == SocketRole.Server ? OwnerTable.ListenerOfPort : OwnerTable.None);
        }

        var entered = new PendingSocket(key, socket.Inode, age, stuck, isListener, socket.ReceiveQueue, socket.SendQueue);
        if (_inFlight.Length == 0)
        {
            Attribute(entered);
            return;
        }

        if (socket.Inode != 0) _owners.Prefetch(socket.Inode);
        ref var slot = ref _inFlight[_inFlightNext];
        if (_inFlightCount == _inFlight.Length)
        {
            Attribute(slot);
        }
        else
        {
            _inFlightCount++;
        }

        slot = entered;
        _inFlightNext = _inFlightNext + 1 == _inFlight.Length ? 0 : _inFlightNext + 1;
    }

    // Counts a socket whose owner lookup is due, or holds it back for the /proc walk. Sockets
    // without an inode carry their owner in the key already.
    private void Attribute(in PendingSocket socket)
    {
        var key = socket.Key;
        if (socket.Inode != 0)
        {
            if (!_owners!.TryGetOwnerIndex(socket.Inode, out var index))
            {
                _pending.Add(socket);
                _unknownInodes.Add(socket.Inode);
                return;
            }

            key = key.WithOwner(OwnerId(index));
        }

        Count(key, socket.Age, socket.Stuck, socket.IsListener, socket.QueueLength, socket.QueueLimit);
    }

    // The owner id of an owner index: an array probe where OwnerTable.IdOf would hash the owner
    // (a dictionary's buckets, entries and the object itself are three more cache lines to miss).
    private int OwnerId(int index)
    {
        if ((uint)index < (uint)_idByOwnerIndex.Length)
        {
            var known = _idByOwnerIndex[index];
            if (known.Stamp == _ownerStamp) return known.Id;
        }
        else
        {
            Array.Resize(ref _idByOwnerIndex, Math.Max(index + 1, _idByOwnerIndex.Length * 2));
        }

        var id = _ownerTable.IdOf(_owners!.OwnerAt(index));
        _idByOwnerIndex[index] = (_ownerStamp, id);
        return id;
    }

    // Owner indexes last until the lookup's next Resolve, ids until the next Reset: a new stamp
    // invalidates every entry at once.
    private void ForgetOwnerIndexes()
    {
        if (++_ownerStamp == 0)
        {
            Array.Clear(_idByOwnerIndex);
            _ownerStamp = 1;
        }
    }

    // Makes the lookups still in flight, oldest first.
    private void DrainInFlight()
    {
        var index = _inFlightNext - _inFlightCount;
        if (index < 0) index += _inFlight.Length;
        for (; _inFlightCount > 0; _inFlightCount--)
        {
            Attribute(_inFlight[index]);
            index = index + 1 == _inFlight.Length ? 0 : index + 1;
        }

        _inFlightNext = 0;
    }

    /// <summary>
    /// Attributes the held-back sockets (one /proc walk for all of them), resolves "the listener
    /// of this port" for ownerless server sockets, and publishes the sample.
    /// </summary>
    /// <param name="reportsQueueLimit">Whether the source reports the accept-queue limit (netlink does, /proc does not).</param>
    /// <param name="topDestinations">How many of the busiest client destinations to report.</param>
    public SocketSnapshot ToSnapshot(string source, DateTimeOffset timestamp, TimeSpan duration, int maxPortSeries, long malformedRecords, int retries, bool reportsQueueLimit = true, int topDestinations = 10)
    {
        DrainInFlight();
        AttributePending();
        ResolveListenerOwners();
        _tracker?.EndSample();

        _groupList.Clear();
        foreach (var pair in _groups) _groupList.Add(pair);
        var folded = CardinalityLimiter.Fold(_groupList, maxPortSeries, _ownerTable, _series);
        var queues = new List<ListenQueue>(_queues.Count);
        foreach (var ((port, owner), (length, limit)) in _queues)
        {
            queues.Add(new ListenQueue(port, _ownerTable.Name(owner), _ownerTable.Pid(owner), length, reportsQueueLimit ? limit : null));
        }

        queues.Sort(static (a, b) => a.Port != b.Port ? a.Port.CompareTo(b.Port) : string.CompareOrdinal(a.Process, b.Process));
        return new SocketSnapshot
        {
            Timestamp = timestamp,
            Duration = duration,
            Source = source,
            StateCounts = (long[])_stateCounts.Clone(),
            PortGroups = _series.ToArray(),
            FoldedGroups = folded,
            MalformedRecords = malformedRecords,
            Retries = retries,
            ListenQueues = queues,
            UnattributedSockets = _unattributed,
            TrackedSockets = _tracker?.Count ?? 0,
            PortRange = _range,
            Destinations = TopDestinations(topDestinations),
        };
    }

    // Each client socket toward a destination holds one ephemeral local port; connect() fails with
    // EADDRNOTAVAIL once a destination has them all (per source address).
    private void CountDestination(in SocketRecord socket, int state)
    {
        var address = socket.RemoteAddress;
        var family = socket.Family;
        if (family == AddressFamilies.Inet6 && address.IsIPv4Mapped)
        {
            address = new InetAddress(address.Low << 32, 0);
            family = AddressFamilies.Inet;
        }

        ref var usage = ref CollectionsMarshal.GetValueRefOrAddDefault(_destinations, new Destination(address, family, socket.RemotePort), out _);
        usage = (usage.InUse + 1, usage.TimeWait + (state == StateLabel.TimeWait ? 1 : 0));
    }

    private List<DestinationUsage> TopDestinations(int count)
    {
        var top = new List<KeyValuePair<Destination, (long InUse, long TimeWait)>>(_destinations);
        top.Sort(static (a, b) =>
        {
            var c = b.Value.InUse.CompareTo(a.Value.InUse);
            if (c == 0) c = a.Key.Port.CompareTo(b.Key.Port);
            if (c == 0) c = a.Key.Address.High.CompareTo(b.Key.Address.High);
            return c != 0 ? c : a.Key.Address.Low.CompareTo(b.Key.Address.Low);
        });
        var result = new List<DestinationUsage>(Math.Min(count, top.Count));
        for (var i = 0; i < top.Count && i < count; i++)
        {
            var (destination, (inUse, timeWait)) = top[i];
            result.Add(new DestinationUsage(destination.Address.ToIPAddress(destination.Family).ToString(), destination.Port, inUse, timeWait));
        }

        return result;
    }

    private void Count(GroupKey key, TimeSpan age, bool stuck, bool isListener, uint queueLength, uint queueLimit)
    {
        CollectionsMarshal.GetValueRefOrAddDefault(_groups, key, out _).Add(1, age, stuck ? 1 : 0);
        if (isListener)
        {
            ref var queue = ref CollectionsMarshal.GetValueRefOrAddDefault(_queues, (key.Port, key.Owner), out _);
            queue = (queue.Length + queueLength, queue.Limit + queueLimit);
        }
    }

    private void LearnListener(in SocketRecord socket)
    {
        _serverPorts.Add(socket.LocalPort);
        // With several listeners on a port (SO_REUSEPORT, IPv4 and IPv6), the lowest inode
        // stands for them all, so the choice does not depend on dump order.
        if (socket.Inode != 0 && (!_listenerInodes.TryGetValue(socket.LocalPort, out var inode) || socket.Inode < inode))
        {
            _listenerInodes[socket.LocalPort] = socket.Inode;
        }
    }

    private void AttributePending()
    {
        if (_pending.Count == 0) return;
        _owners!.Resolve(_unknownInodes);
        ForgetOwnerIndexes(); // the walk may have given an index to another owner
        foreach (var pending in _pending)
        {
            int owner;
            if (_owners.TryGetOwnerIndex(pending.Inode, out var index))
            {
                owner = OwnerId(index);
            }
            else
            {
                owner = OwnerTable.Unknown;
                _unattributed++;
            }

            Count(pending.Key.WithOwner(owner), pending.Age, pending.Stuck, pending.IsListener, pending.QueueLength, pending.QueueLimit);
        }
    }

    private void ResolveListenerOwners()
    {
        _groupList.Clear();
        foreach (var pair in _groups)
        {
            if (pair.Key.Owner == OwnerTable.ListenerOfPort) _groupList.Add(pair);
        }

        foreach (var (key, stats) in _groupList)
        {
            _groups.Remove(key);
            var owner = OwnerTable.None; // a configured server port with no listener
            if (_listenerInodes.TryGetValue(key.Port, out var inode))
            {
                owner = _owners!.TryGetOwnerIndex(inode, out var index) ? OwnerId(index) : OwnerTable.Unknown;
            }

            CollectionsMarshal.GetValueRefOrAddDefault(_groups, key.WithOwner(owner), out _).Add(stats);
        }
    }

    private sealed class ListenerCollector(SocketTableAggregator aggregator) : ISocketSink
    {
        public void OnSocket(in SocketRecord socket)
        {
            if (socket.State == (byte)KernelTcpState.Listen) aggregator.LearnListener(socket);
        }
    }

    // A client socket's destination as the key of _destinations, counted for every client socket
    // in the ephemeral range (most of a TIME_WAIT-heavy table): the family and the port in one
    // word, and a hash of three multiplications folded, where the tuple of the three hashed
    // through HashCode.Combine and compared through EqualityComparer at twice the per-socket cost.
    private readonly struct Destination(InetAddress address, byte family, ushort port) : IEquatable<Destination>
    {
        private readonly ulong _high = address.High;
        private readonly ulong _low = address.Low;
        private readonly uint _familyAndPort = ((uint)family << 16) | port;

        public InetAddress Address => new(_high, _low);

        public byte Family => (byte)(_familyAndPort >> 16);

        public ushort Port => (ushort)_familyAndPort;

        public bool Equals(Destination other) => _high == other._high && _low == other._low && _familyAndPort == other._familyAndPort;

        public override bool Equals(object? obj) => obj is Destination other && Equals(other);

        // An IPv4 address is the top half of _high: the multiplications spread every part over
        // the top half, the fold brings it down.
        public override int GetHashCode()
        {
            var mixed = (_high * 0x9E3779B97F4A7C15UL) ^ (_low * 0xC2B2AE3D27D4EB4FUL) ^ (_familyAndPort * 0x165667B19E3779F9UL);
            return (int)(mixed >> 32) ^ (int)mixed;
        }
    }
}
