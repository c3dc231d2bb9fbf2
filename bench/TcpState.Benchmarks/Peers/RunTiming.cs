namespace TcpState.Benchmarks.Peers;

/// <summary>One timed run of a peer.</summary>
/// <param name="WallMs">Wall-clock time.</param>
/// <param name="CpuMs">CPU time of whoever did the work (the sampling thread, the child process, the scraped process), user plus system; NaN when not measurable.</param>
/// <param name="AllocatedBytes">Bytes the sampling thread allocated; null for peers outside this process.</param>
/// <param name="SocketsSeen">Sockets the peer reported, when it reports a count; -1 otherwise.</param>
/// <param name="SocketsBefore">The namespace's sockets (sockstat inuse + tw) just before the run.</param>
/// <param name="Capped">The run was stopped at its time cap; its wall time is a lower bound.</param>
internal sealed record RunTiming(double WallMs, double CpuMs, long? AllocatedBytes, long SocketsSeen, long SocketsBefore, bool Capped = false);
