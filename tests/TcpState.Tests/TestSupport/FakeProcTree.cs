namespace TcpState.Tests.TestSupport;

/// <summary>
/// A directory laid out like /proc for the process walk: <c>PID/stat</c>, <c>PID/comm</c>,
/// <c>PID/cgroup</c>, <c>PID/exe</c> and <c>PID/fd/N</c> links whose targets read
/// <c>socket:[INODE]</c>, as the kernel's do. Lets a test stage what real processes cannot be
/// made to do on cue, such as a pid reused by a different process.
/// </summary>
public sealed class FakeProcTree : IDisposable
{
    public FakeProcTree() => Root = Directory.CreateTempSubdirectory("tcpstate-fakeproc-").FullName;

    public string Root { get; }

    public void AddProcess(int pid, ulong startTime, string comm, params uint[] socketInodes)
    {
        var dir = Path.Combine(Root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "fd"));
        // Field 2 may contain spaces and parentheses; starttime is field 22.
        File.WriteAllText(Path.Combine(dir, "stat"),
            $"{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {startTime} 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
        File.WriteAllText(Path.Combine(dir, "cgroup"), $"0::/system.slice/{comm}.service\n");
        File.CreateSymbolicLink(Path.Combine(dir, "exe"), $"/usr/sbin/{comm}-bin");
        File.CreateSymbolicLink(Path.Combine(dir, "fd", "0"), "/dev/null");
        for (var i = 0; i < socketInodes.Length; i++)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "fd", (i + 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), $"socket:[{socketInodes[i]}]");
        }
    }

    public void RemoveProcess(int pid) =>
        Directory.Delete(Path.Combine(Root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), recursive: true);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
