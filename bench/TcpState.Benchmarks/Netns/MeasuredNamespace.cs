using TcpState.Benchmarks.Attribution;
using TcpState.Kernel.Netlink;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Netns;

/// <summary>
/// One namespace of the benchmark: created with a given host tcp_child_ehash_entries, filled with
/// ESTABLISHED loopback pairs by SocketHolder processes, counted with 'ss -tanH', and a netlink
/// socket opened inside it, as the exporter opens one per namespace. Dispose stops the holders and
/// deletes the namespace, also when the constructor fails half-way.
/// </summary>
internal sealed class MeasuredNamespace : IDisposable
{
    private readonly NetworkNamespace _namespace;
    private readonly HolderFleet _fleet;
    private readonly InetDiagReader _reader;

    private MeasuredNamespace(string label, NetworkNamespace networkNamespace, HolderFleet fleet, InetDiagReader reader, int sockets, int holders, int buckets)
    {
        Label = label;
        _namespace = networkNamespace;
        _fleet = fleet;
        _reader = reader;
        Sockets = sockets;
        Holders = holders;
        Buckets = buckets;
    }

    /// <summary>BIG, SMALL_SHARED or SMALL_OWN.</summary>
    public string Label { get; }

    /// <summary>The namespace's name for 'ip netns'.</summary>
    public string Name => _namespace.Name;

    /// <summary>TCP sockets in the namespace as 'ss -tanH' counts them after setup.</summary>
    public int Sockets { get; }

    /// <summary>SocketHolder processes holding them.</summary>
    public int Holders { get; }

    /// <summary>The namespace's net.ipv4.tcp_ehash_entries: negative when it shares the host's table.</summary>
    public int Buckets { get; }

    /// <summary>The netlink reader opened inside the namespace.</summary>
    public InetDiagReader Reader => _reader;

    /// <summary>
    /// Creates the namespace with the host's tcp_child_ehash_entries at <paramref name="childEhashEntries"/>
    /// (0: share the host's table), fills it with <paramref name="sockets"/> sockets and checks the count.
    /// </summary>
    public static MeasuredNamespace Create(string label, int childEhashEntries, int sockets, TimeSpan holderTimeout, CancellationToken cancellation)
    {
        var networkNamespace = ChildEhash.CreateNamespace(childEhashEntries);
        HolderFleet? fleet = null;
        InetDiagReader? reader = null;
        try
        {
            Console.Error.WriteLine($"# {DateTime.Now:HH:mm:ss} {label}: namespace {networkNamespace.Name} (if this run is SIGKILLed: ip netns delete {networkNamespace.Name})");
            // As in the live tests: no TIME_WAIT reuse, so the namespace holds exactly what the holders built.
            networkNamespace.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
            var buckets = ChildEhash.BucketsOf(networkNamespace);
            fleet = new HolderFleet(networkNamespace, holderTimeout);

            // ESTABLISHED pairs and listeners only: no CLOSE_WAIT pairs, whose orphaned FIN_WAIT2
            // halves would expire during the run and make the dumped count drift from ss's.
            var plans = HolderPlan.Split(sockets, 0, HolderPlan.MinHolders, HolderPlan.MaxHeldSocketsPerHolder);
            foreach (var plan in plans)
            {
                cancellation.ThrowIfCancellationRequested();
                fleet.Start(plan);
            }

            fleet.VerifyHeld();
            var counted = SsOutput.CaptureAll(networkNamespace).Sockets.Count;
            var planned = plans.Sum(p => p.Sockets);
            if (counted != planned)
            {
                throw new InvalidOperationException($"{label}: ss -tanH counts {counted} sockets in {networkNamespace.Name}, the holders built {planned}");
            }

            // The netlink socket belongs to the namespace it is created in, for life.
            reader = networkNamespace.RunInside(InetDiagReader.Open);
            return new MeasuredNamespace(label, networkNamespace, fleet, reader, counted, plans.Count, buckets);
        }
        catch
        {
            reader?.Dispose();
            fleet?.Dispose();
            networkNamespace.Dispose();
            throw;
        }
    }

    /// <summary>Counts the namespace's sockets again with 'ss -tanH' (the check after the timed dumps).</summary>
    public int CountWithSs() => SsOutput.CaptureAll(_namespace).Sockets.Count;

    public void Dispose()
    {
        _reader.Dispose();
        _fleet.Dispose();
        _namespace.Dispose();
    }
}
