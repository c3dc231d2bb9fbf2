using System.Runtime.InteropServices;

namespace TcpState.Core;

/// <summary>
/// Counts the sockets of one dump by state and by (state, role, port) as they stream past. Its
/// tables are reused from sample to sample, so steady-state counting allocates nothing.
/// </summary>
public sealed class SocketTableAggregator : ISocketSink
{
    private readonly long[] _stateCounts = new long[StateLabel.Count];
    private readonly Dictionary<GroupKey, int> _groups = new();
    private readonly List<KeyValuePair<GroupKey, int>> _groupList = new();
    private readonly List<PortGroupCount> _series = new();
    private readonly PortSet _configuredServerPorts;
    private readonly PortSet _serverPorts = new();

    /// <param name="configuredServerPorts">Ports always treated as server ports, listening or not.</param>
    public SocketTableAggregator(IEnumerable<ushort> configuredServerPorts)
    {
        _configuredServerPorts = new PortSet();
        foreach (var port in configuredServerPorts) _configuredServerPorts.Add(port);
        ListenerSink = new ListenerCollector(_serverPorts);
        Reset();
    }

    /// <summary>Feed it the listener pre-dump: it only learns which ports are server ports.</summary>
    public ISocketSink ListenerSink { get; }

    /// <summary>Forgets the previous sample's counts (keeps the tables' capacity).</summary>
    public void Reset()
    {
        Array.Clear(_stateCounts);
        _groups.Clear();
        _serverPorts.CopyFrom(_configuredServerPorts);
    }

    public void OnSocket(in SocketRecord socket)
    {
        var state = StateLabel.FromKernel(socket.State);
        _stateCounts[state]++;
        GroupKey key;
        if (state == StateLabel.Listen)
        {
            _serverPorts.Add(socket.LocalPort);
            key = new GroupKey(state, SocketRole.Server, socket.LocalPort);
        }
        else if (_serverPorts.Contains(socket.LocalPort))
        {
            key = new GroupKey(state, SocketRole.Server, socket.LocalPort);
        }
        else
        {
            key = new GroupKey(state, SocketRole.Client, socket.RemotePort);
        }

        CollectionsMarshal.GetValueRefOrAddDefault(_groups, key, out _)++;
    }

    /// <summary>Publishes the counts as an immutable snapshot, folding port groups beyond <paramref name="maxPortSeries"/>.</summary>
    public SocketSnapshot ToSnapshot(string source, DateTimeOffset timestamp, TimeSpan duration, int maxPortSeries, long malformedRecords, int retries)
    {
        _groupList.Clear();
        foreach (var pair in _groups) _groupList.Add(pair);
        var folded = CardinalityLimiter.Fold(_groupList, maxPortSeries, _series);
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
        };
    }

    private sealed class ListenerCollector(PortSet ports) : ISocketSink
    {
        public void OnSocket(in SocketRecord socket)
        {
            if (socket.State == (byte)KernelTcpState.Listen) ports.Add(socket.LocalPort);
        }
    }
}
