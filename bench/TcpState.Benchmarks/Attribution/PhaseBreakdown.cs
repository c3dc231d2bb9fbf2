namespace TcpState.Benchmarks.Attribution;

/// <summary>Where a steady-state sample's time goes, beyond what the steady samples themselves show; medians.</summary>
/// <param name="DumpOnly">The sampler's netlink dumps (listeners, then IPv4 and IPv6) into a sink that only counts: the kernel's part plus parsing.</param>
/// <param name="DumpOnlyKernelShare">Share of <paramref name="DumpOnly"/>'s CPU time spent in the kernel.</param>
/// <param name="SsWithoutProcesses">'ss -tan' (no -p) on the same sockets, output discarded: ss's dump and printing without its /proc scan.</param>
/// <param name="OwnerLookupNanoseconds">Nanoseconds per socket: TryGetOwner (the owner index and OwnerAt) of the ProcessSocketMap for the inodes of one dump, replayed back to back without the dump.</param>
/// <param name="OwnerIdNanoseconds">Nanoseconds per socket: OwnerTable.IdOf for the owner found, replayed alone (the sampler does it for each attributed socket).</param>
/// <param name="InPlaceLookupNanoseconds">Nanoseconds per socket: the inode -> process lookup made during a real dump (dump with it minus dump without).</param>
/// <param name="InPlaceIdNanoseconds">Nanoseconds per socket: the process -> owner id lookup added on top, during a real dump.</param>
/// <param name="SsIpv6Only">'ss -tan -6': an IPv6 dump, which finds none of the (IPv4) sockets but walks the same hash table.</param>
internal sealed record PhaseBreakdown(
    TimeSpan DumpOnly,
    double DumpOnlyKernelShare,
    TimeSpan SsWithoutProcesses,
    TimeSpan SsIpv6Only,
    double OwnerLookupNanoseconds,
    double OwnerIdNanoseconds,
    double InPlaceLookupNanoseconds,
    double InPlaceIdNanoseconds);
