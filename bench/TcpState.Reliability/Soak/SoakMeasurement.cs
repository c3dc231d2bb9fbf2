namespace TcpState.Reliability.Soak;

/// <summary>The soak's state at one moment: the process's memory and fds, and what the exporter exposes.</summary>
/// <param name="HeapBytes">Managed heap after a full, compacting, blocking GC.</param>
/// <param name="RssBytes">Resident memory of the process (informative: the runtime keeps freed pages).</param>
/// <param name="OpenFds">Open file descriptors of the process.</param>
/// <param name="Threads">Threads of the process.</param>
/// <param name="TotalSockets">Sockets in the namespace per the latest sample.</param>
/// <param name="TrackedSockets">tcpstate_tracked_sockets: sockets followed for their age.</param>
/// <param name="Series">Every exposed series of a family labelled by port or process, as name{labels}.</param>
/// <param name="Generations">Sizes after the GC of gen0, gen1, gen2, the large and the pinned object heap.</param>
/// <param name="FdKinds">Open fds by kind.</param>
/// <param name="OpenFiles">The paths of the open files, sorted.</param>
internal sealed record SoakMeasurement(long HeapBytes, long RssBytes, int OpenFds, int Threads, long TotalSockets, int TrackedSockets, IReadOnlySet<string> Series, long[] Generations, IReadOnlyDictionary<string, int> FdKinds, IReadOnlyList<string> OpenFiles)
{
    /// <summary>Files open now but not at <paramref name="earlier"/> ("+path") and the other way round ("-path").</summary>
    public IEnumerable<string> FilesChangedSince(SoakMeasurement earlier)
    {
        var now = OpenFiles.GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var then = earlier.OpenFiles.GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var path in now.Keys.Union(then.Keys).Order(StringComparer.Ordinal))
        {
            var difference = now.GetValueOrDefault(path) - then.GetValueOrDefault(path);
            for (var i = 0; i < Math.Abs(difference); i++)
            {
                yield return (difference > 0 ? "+" : "-") + path;
            }
        }
    }

    public string DescribeFds() => string.Join(", ", FdKinds.Select(k => $"{k.Value} {k.Key}"));

    public int PortSocketSeries => Series.Count(s => s.StartsWith("tcpstate_port_sockets{", StringComparison.Ordinal));

    public override string ToString() =>
        $"heap {ProcessResources.Mib(HeapBytes)}, RSS {ProcessResources.Mib(RssBytes)}, {OpenFds} fds, {Threads} threads; " +
        $"{TotalSockets} sockets, {PortSocketSeries} tcpstate_port_sockets series, {Series.Count} port/process series in all, {TrackedSockets} tracked " +
        $"(heap by generation: {string.Join(" / ", Generations.Select(g => (g / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) + " KiB"))} for gen0 / gen1 / gen2 / LOH / POH)";
}
