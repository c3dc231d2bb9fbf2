using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Kernel.Namespaces;
using TcpState.Kernel.Proc;

namespace TcpState.Exporter.Sampling;

/// <summary>
/// Samples the host's other network namespaces (<c>--netns.enabled</c>), one
/// <see cref="SocketSampler"/> each, after every sample of the exporter's own namespace. Namespaces
/// are discovered again every sample: new ones are opened, vanished ones closed and forgotten (a
/// netlink socket holds its namespace alive, so it must not outlive it). At most
/// <c>--netns.max</c> are sampled; those already sampled keep their place. With CAP_SYS_ADMIN each
/// is dumped through a netlink socket created inside it (<see cref="NamespaceNetlink"/>); without
/// it (source auto or proc) through <c>/proc/PID/net/tcp</c> of a process in it. Process
/// attribution is shared with the host view: socket inodes are unique host-wide. Not thread-safe:
/// the sampling loop owns it.
/// </summary>
public sealed class NamespaceSampling : INamespaceSampler, IDisposable
{
    private readonly ExporterOptions _options;
    private readonly ISocketOwnerLookup? _owners;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NetworkNamespaceDiscovery _discovery;
    private readonly Dictionary<ulong, Entry> _entries = new();
    private readonly Dictionary<ulong, string> _failing = new();
    private bool _useProc;
    private bool _warnedLimit;
    private bool _reportedSharedTable;

    public NamespaceSampling(ExporterOptions options, ISocketOwnerLookup? owners, TimeProvider time, ILogger logger, NetworkNamespaceDiscovery? discovery = null)
    {
        _options = options;
        _owners = owners;
        _time = time;
        _logger = logger;
        _discovery = discovery ?? new NetworkNamespaceDiscovery(options.ProcRoot);
        _useProc = options.Source == SampleSourceKind.Proc;
        NamespaceLog.Enabled(logger, options.NetnsMax);
    }

    /// <summary>Called with the reason each time a namespace's dump is tried again within a sample.</summary>
    public Action<string>? Retried { get; set; }

    /// <summary>The netns labels of the namespaces open now (a source each), sampled in the last sample.</summary>
    public IReadOnlyList<string> Open => [.. _entries.Values.Select(e => e.Label)];

    public NamespaceSet Sample()
    {
        var found = _discovery.Discover();
        var skipped = NamespaceSet.SkipReasons.ToDictionary(r => r, _ => 0);
        Forget(found);

        // Those already sampled keep their place, so the set does not flap when over the limit.
        var chosen = new HashSet<ulong>(found.Where(f => _entries.ContainsKey(f.Inode)).Select(f => f.Inode).Take(_options.NetnsMax));
        foreach (var space in found)
        {
            if (chosen.Count >= _options.NetnsMax) break;
            chosen.Add(space.Inode);
        }

        skipped["limit"] = found.Count - chosen.Count;
        if (skipped["limit"] > 0 && !_warnedLimit)
        {
            _warnedLimit = true;
            NamespaceLog.OverLimit(_logger, found.Count, _options.NetnsMax, skipped["limit"]);
        }

        var sampled = new List<NamespaceSnapshot>(chosen.Count);
        foreach (var space in found)
        {
            if (!chosen.Contains(space.Inode)) continue;
            var outcome = SampleOne(space, out var snapshot);
            if (snapshot is not null)
            {
                sampled.Add(snapshot);
            }
            else
            {
                skipped[outcome]++;
            }
        }

        if (!_reportedSharedTable && sampled.FirstOrDefault(s => s.SharedHashTable == true) is { } shared)
        {
            _reportedSharedTable = true;
            NamespaceLog.SharedHashTable(_logger, shared.Netns);
        }

        return new NamespaceSet { Sampled = sampled, Discovered = found.Count, Skipped = skipped };
    }

    // Returns the skip reason when the namespace yields no sample.
    private string SampleOne(DiscoveredNamespace space, out NamespaceSnapshot? result)
    {
        result = null;
        try
        {
            var entry = Prepare(space);
            if (entry is null) return "no_process";
            var snapshot = entry.Sampler.Sample();
            _failing.Remove(space.Inode); // recovered: a later failure is worth a warning again

            result = new NamespaceSnapshot
            {
                Netns = space.Label,
                Container = entry.Identity.Container,
                Pod = entry.Identity.Pod,
                Cgroup = entry.Identity.Cgroup,
                SharedHashTable = entry.SharedHashTable,
                Snapshot = snapshot,
            };
            return "";
        }
        catch (Exception e) when (e is SocketTableException or IOException or UnauthorizedAccessException)
        {
            Close(space.Inode);
            var reason = e is SocketTableException table ? table.Reason : "internal";
            // A namespace whose last process exits mid-sample is ordinary churn, not an error.
            if (reason == "netns_gone" || (space.Name is null && space.Pids.All(pid => !Directory.Exists(Path.Combine(_options.ProcRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))))))
            {
                return "gone";
            }

            if (_failing.TryGetValue(space.Inode, out var previous) && previous == reason)
            {
                NamespaceLog.FailedAgain(_logger, space.Label, reason, e.Message);
            }
            else
            {
                _failing[space.Inode] = reason;
                NamespaceLog.Failed(_logger, space.Label, reason, e.Message);
            }

            return "error";
        }
    }

    // The entry for the namespace, opened on first sight; null when it can only be read through a
    // process and has none.
    private Entry? Prepare(DiscoveredNamespace space)
    {
        if (_entries.TryGetValue(space.Inode, out var entry))
        {
            // A /proc reader reads through one process: follow another one when it exits.
            if (entry.Pid is { } pid && !space.Pids.Contains(pid))
            {
                Close(space.Inode);
            }
            else
            {
                return entry;
            }
        }

        if (!_useProc)
        {
            var pid = space.Pids.Count > 0 ? space.Pids[0] : 0;
            if (space.Name is null && pid == 0) return null;
            try
            {
                var (reader, range, shared) = NamespaceNetlink.Open(_discovery.OpenPath(space, pid), _options.ProcRoot);
                return Add(space, reader, () => range, pid: null, shared);
            }
            catch (SocketTableException e) when (e.Reason == "netns_denied" && _options.Source == SampleSourceKind.Auto)
            {
                _useProc = true;
                NamespaceLog.FellBackToProc(_logger, e.Message);
            }
        }

        if (space.Pids.Count == 0) return null;
        var first = space.Pids[0];
        var root = Path.Combine(_options.ProcRoot, first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // ip_local_port_range is per namespace and /proc/PID has no sys/: unknown without entering it.
        return Add(space, new ProcNetTcpReader(root), null, first, sharedHashTable: null);
    }

    private Entry Add(DiscoveredNamespace space, ISocketTableSource source, Func<PortRange?>? range, int? pid, bool? sharedHashTable)
    {
        var identity = space.Pids.Count > 0 ? CgroupIdentity.OfProcess(_options.ProcRoot, space.Pids[0]) : CgroupIdentity.None;
        var sampler = new SocketSampler(source, _options.ServerPorts, _options.NetnsMaxPortSeries, _time, _owners,
            new StuckSocketTracker(_options.StuckStates, _options.StuckThreshold, _time), _options.PidLabel, range, _options.TopDestinations)
        {
            Retried = Retried,
        };
        var entry = new Entry(space.Label, source, sampler, identity, pid, sharedHashTable);
        _entries[space.Inode] = entry;
        NamespaceLog.Appeared(_logger, space.Label, identity.Container, source.Name);
        return entry;
    }

    private void Forget(IReadOnlyList<DiscoveredNamespace> found)
    {
        var present = new HashSet<ulong>(found.Select(f => f.Inode));
        foreach (var (inode, entry) in _entries.Where(e => !present.Contains(e.Key)).ToList())
        {
            NamespaceLog.Forgotten(_logger, entry.Label);
            Close(inode);
        }

        foreach (var inode in _failing.Keys.Where(k => !present.Contains(k)).ToList()) _failing.Remove(inode);
    }

    private void Close(ulong inode)
    {
        if (_entries.Remove(inode, out var entry)) entry.Source.Dispose();
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values) entry.Source.Dispose();
        _entries.Clear();
    }

    private sealed record Entry(string Label, ISocketTableSource Source, SocketSampler Sampler, CgroupIdentity Identity, int? Pid, bool? SharedHashTable);
}
