namespace TcpState.Benchmarks.Netns;

/// <summary>The timed dumps of one namespace in one configuration: medians of wall and thread CPU time.</summary>
/// <param name="WallMs">Median wall time of a full IPv4+IPv6 dump, ms.</param>
/// <param name="CpuMs">Median CPU time of the dumping thread (user + kernel) over the same dumps, ms.</param>
/// <param name="Dumps">How many dumps were timed.</param>
/// <param name="Sockets">Sockets the last dump returned.</param>
internal sealed record DumpTimes(double WallMs, double CpuMs, int Dumps, long Sockets);
