using System.Globalization;

namespace TcpState.Reliability;

/// <summary>What a process holds at one moment, read from /proc/PID: resident memory, open fds, threads, CPU time.</summary>
/// <param name="RssBytes">VmRSS of /proc/PID/status.</param>
/// <param name="OpenFds">Entries of /proc/PID/fd.</param>
/// <param name="Threads">Threads of /proc/PID/status.</param>
/// <param name="CpuSeconds">utime + stime of /proc/PID/stat.</param>
internal sealed record ProcessResources(long RssBytes, int OpenFds, int Threads, double CpuSeconds)
{
    public static ProcessResources Of(int pid)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        // Fields after the name (which may hold spaces) start after the last ')': utime is field 14, stime 15.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessResources(rss, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length, threads, ticks / 100.0);
    }

    /// <summary>Open fds by what they are (socket, pipe, anon_inode:[eventpoll], file, ...), to tell a leak from a lazily opened handle.</summary>
    public static SortedDictionary<string, int> FdKinds(int pid)
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            string kind;
            try
            {
                var target = new FileInfo(fd).LinkTarget ?? "?";
                kind = target.StartsWith("socket:", StringComparison.Ordinal) ? "socket"
                    : target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe"
                    : target.StartsWith("anon_inode:", StringComparison.Ordinal) ? target
                    : target.StartsWith("/dev/", StringComparison.Ordinal) ? target
                    : "file";
            }
            catch (IOException)
            {
                continue; // closed while listing
            }

            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        return kinds;
    }

    /// <summary>
    /// The files the process has open (fd link targets that are paths, sorted, a path once per fd):
    /// compared between two moments, they say which file a grown fd count is.
    /// </summary>
    public static List<string> OpenFiles(int pid)
    {
        var files = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith('/') && !target.StartsWith("/dev/", StringComparison.Ordinal))
                {
                    files.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public override string ToString() =>
        $"RSS {Mib(RssBytes)}, {OpenFds} fds, {Threads} threads, {CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s CPU";
}
