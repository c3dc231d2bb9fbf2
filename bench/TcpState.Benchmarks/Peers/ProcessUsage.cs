using System.Globalization;

namespace TcpState.Benchmarks.Peers;

/// <summary>What another process has used so far, read from /proc.</summary>
internal static class ProcessUsage
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat on Linux.
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU time of all the process's threads in nanoseconds (first field of each
    /// /proc/PID/task/TID/schedstat: the scheduler's exact runtime). Threads that exited take
    /// their time with them, so use it across short intervals only (a scrape).
    /// </summary>
    public static long ThreadsCpuNanoseconds(int pid)
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var text = File.ReadAllText(Path.Combine(task, "schedstat"));
                total += long.Parse(text.AsSpan(0, text.IndexOf(' ')), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended meanwhile.
            }
        }

        return total;
    }

    /// <summary>utime + stime of /proc/PID/stat (exited threads included), in seconds; resolution 10 ms.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may contain spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after "pid (comm)" and state.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>A "VmRSS"-style line of /proc/PID/status, in bytes.</summary>
    public static long StatusBytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }
}
