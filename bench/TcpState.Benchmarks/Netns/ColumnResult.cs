namespace TcpState.Benchmarks.Netns;

/// <summary>
/// One column of the table: the small namespaces (and BIG, when there is one) dumped in interleaved
/// rounds while BIG holds <paramref name="BigSockets"/> sockets.
/// </summary>
/// <param name="BigSockets">Sockets asked for in BIG; 0 for the column without BIG.</param>
/// <param name="BigCounted">Sockets in BIG as 'ss -tanH' counts them (an odd size cannot be made of pairs and listeners).</param>
/// <param name="BigHolders">SocketHolder processes holding them.</param>
/// <param name="Times">Dump times per namespace label.</param>
/// <param name="AllocatedBefore">sockstat 'TCP: alloc' before the timed dumps: full TCP sockets of all namespaces on the host.</param>
/// <param name="AllocatedAfter">The same after them.</param>
/// <param name="LoadAverage">/proc/loadavg's 1-minute figure after the timed dumps.</param>
/// <param name="Problems">Counts that differed; empty when every dump returned the sockets ss counts.</param>
internal sealed record ColumnResult(
    int BigSockets,
    int BigCounted,
    int BigHolders,
    IReadOnlyDictionary<string, DumpTimes> Times,
    long AllocatedBefore,
    long AllocatedAfter,
    string LoadAverage,
    IReadOnlyList<string> Problems);
