using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using TcpState.Kernel.Proc;

namespace TcpState.Kernel.Namespaces;

/// <summary>
/// Finds the network namespaces of the host: every process's <c>/proc/PID/ns/net</c> and every
/// namespace bound under <c>/run/netns</c> (<c>ip netns add</c>). The exporter's own namespace,
/// <c>/proc/self/ns/net</c>, is the host view and is left out. Processes that exit during the walk
/// and links the exporter may not read (another user's process without CAP_SYS_PTRACE) are skipped
/// without error: a namespace is found through any process that can be read.
/// </summary>
public sealed unsafe class NetworkNamespaceDiscovery
{
    // struct stat on 64-bit glibc (x86-64 and arm64): st_dev at +0, st_ino at +8.
    private const int StatDeviceOffset = 0;
    private const int StatInodeOffset = 8;

    private readonly string _procRoot;
    private readonly string _namedDirectory;

    /// <param name="procRoot">The procfs mount (<c>/proc</c>).</param>
    /// <param name="namedDirectory">Where <c>ip netns</c> binds named namespaces (<c>/run/netns</c>).</param>
    public NetworkNamespaceDiscovery(string procRoot, string namedDirectory = "/run/netns")
    {
        _procRoot = procRoot;
        _namedDirectory = namedDirectory;
    }

    /// <summary>Processes whose namespace link could not be read in the last pass (permission).</summary>
    public int UnreadableProcesses { get; private set; }

    /// <summary>The exporter's own namespace inode, or 0 when it cannot be read.</summary>
    public ulong OwnInode { get; private set; }

    /// <summary>
    /// One pass: every namespace but the exporter's own, named ones first (by name), then the others
    /// by inode. Never throws for a vanished or unreadable process.
    /// </summary>
    public IReadOnlyList<DiscoveredNamespace> Discover()
    {
        // stat follows the link to the namespace's nsfs inode: its inode is the namespace's, and its
        // device is the one every nsfs binding under /run/netns has.
        var own = Stat(Path.Combine(_procRoot, "self", "ns", "net"));
        OwnInode = own?.Inode ?? 0;
        var pids = new Dictionary<ulong, List<int>>();
        var unreadable = 0;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(_procRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries = [];
        }

        foreach (var directory in entries)
        {
            var name = Path.GetFileName(directory);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var inode = ReadNamespaceLink(Path.Combine(directory, "ns", "net"), out var denied);
            if (denied) unreadable++;
            if (inode is not { } found || found == OwnInode) continue;
            if (!pids.TryGetValue(found, out var list)) pids[found] = list = new List<int>();
            list.Add(pid);
        }

        UnreadableProcesses = unreadable;
        var named = own is { } self ? ReadNamed(self.Device) : [];
        var result = new List<DiscoveredNamespace>(pids.Count + named.Count);
        foreach (var (inode, name) in named.OrderBy(n => n.Value, StringComparer.Ordinal))
        {
            if (inode == OwnInode) continue;
            result.Add(new DiscoveredNamespace(inode, name, pids.Remove(inode, out var list) ? Sorted(list) : []));
        }

        foreach (var (inode, list) in pids.OrderBy(p => p.Key))
        {
            result.Add(new DiscoveredNamespace(inode, null, Sorted(list)));
        }

        return result;
    }

    /// <summary>The path that opens the namespace for <c>setns</c>: its /run/netns binding, else a process's link.</summary>
    public string OpenPath(DiscoveredNamespace space, int pid) =>
        space.Name is { } name ? Path.Combine(_namedDirectory, name) : Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "ns", "net");

    private static List<int> Sorted(List<int> list)
    {
        list.Sort();
        return list;
    }

    // Named namespaces: entries of /run/netns that are nsfs bindings (on nsfs's device). A leftover
    // file whose bind mount is gone is on tmpfs and is ignored.
    private Dictionary<ulong, string> ReadNamed(ulong nsfsDevice)
    {
        var named = new Dictionary<ulong, string>();
        if (!Directory.Exists(_namedDirectory)) return named;
        try
        {
            foreach (var file in Directory.EnumerateFiles(_namedDirectory))
            {
                if (Stat(file) is { } entry && entry.Device == nsfsDevice && entry.Inode != 0)
                {
                    named.TryAdd(entry.Inode, Path.GetFileName(file));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the directory went away or is not readable: no named namespaces
        }

        return named;
    }

    // "net:[4026531840]" -> 4026531840
    private static ulong? ReadNamespaceLink(string path, out bool denied)
    {
        denied = false;
        var buffer = stackalloc byte[64];
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        nint length;
        fixed (byte* p = pathBytes)
        {
            length = ProcFsNative.readlink(p, buffer, 64);
        }

        if (length < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            denied = errno is ProcFsNative.EACCES or ProcFsNative.EPERM;
            return null;
        }

        var text = new ReadOnlySpan<byte>(buffer, (int)length);
        if (!text.StartsWith("net:["u8) || text[^1] != (byte)']') return null;
        return ulong.TryParse(Encoding.ASCII.GetString(text[5..^1]), NumberStyles.None, CultureInfo.InvariantCulture, out var inode) ? inode : null;
    }

    private static (ulong Device, ulong Inode)? Stat(string path)
    {
        var buffer = stackalloc byte[ProcFsNative.StatBufferSize];
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = pathBytes)
        {
            if (ProcFsNative.stat(p, buffer) != 0) return null;
        }

        return (*(ulong*)(buffer + StatDeviceOffset), *(ulong*)(buffer + StatInodeOffset));
    }
}
