namespace TcpState.Reliability;

/// <summary>
/// The host's load average (/proc/loadavg: 1, 5 and 15 minutes), printed at the start and the end of
/// a run: these harnesses run on shared machines, and latencies and durations mean little without it.
/// </summary>
internal static class LoadAverage
{
    public static string Now()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{fields[0]} {fields[1]} {fields[2]} (1/5/15 min), {Environment.ProcessorCount} CPUs";
    }
}
