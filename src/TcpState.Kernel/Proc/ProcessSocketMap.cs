using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using TcpState.Core;

namespace TcpState.Kernel.Proc;

/// <summary>
/// Maps socket inodes to the processes holding them by reading <c>/proc/PID/fd</c> links,
/// incrementally: a walk re-reads only processes that are new, restarted (pid reused: the start
/// time differs) or whose fd count changed, and is skipped entirely while every socket of the
/// dump is already attributed. Inodes still unknown after an incremental walk trigger a full
/// rescan, rate-limited so that sockets nobody can attribute (no permission) cost nothing.
/// Not thread-safe: the sampling loop owns it.
/// </summary>
public sealed unsafe class ProcessSocketMap : ISocketOwnerLookup
{
    /// <summary>Minimum time between full rescans caused by the same unresolved inodes.</summary>
    public static readonly TimeSpan FullRescanInterval = TimeSpan.FromMinutes(1);

    private readonly byte[] _procRoot;
    private readonly ProcessNameSource _nameSource;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, CachedProcess> _processes = new();
    // inode -> owner index; the index selects the process in the two arrays below.
    private readonly InodeOwnerTable _owners = new();
    private readonly Stack<int> _freeIndexes = new();
    private CachedProcess?[] _processByIndex = new CachedProcess?[64];
    private SocketOwner?[] _ownerByIndex = new SocketOwner?[64];
    private int _indexesUsed;
    private readonly HashSet<uint> _unresolvedAfterFullRescan = new();
    private readonly List<uint> _scratchInodes = new();
    private long _walk;
    private bool? _fdCountsReliable;
    private long _lastFullRescan = long.MinValue;

    public ProcessSocketMap(string procRoot, ProcessNameSource nameSource, TimeProvider time)
    {
        _procRoot = Encoding.UTF8.GetBytes(procRoot.TrimEnd('/'));
        _nameSource = nameSource;
        _time = time;
    }

    /// <summary>Processes whose fds could not be read at their last scan.</summary>
    public int UnreadableProcesses { get; private set; }

    /// <summary>A pid and name of one unreadable process, for the log.</summary>
    public SocketOwner? AnUnreadableProcess { get; private set; }

    /// <summary>Walks of /proc so far (incremental or full).</summary>
    public long Walks => _walk;

    /// <summary>Full rescans so far.</summary>
    public long FullRescans { get; private set; }

    /// <summary>Processes whose fds were read, over all walks.</summary>
    public long ProcessScans { get; private set; }

    public bool TryGetOwnerIndex(uint inode, out int index) => _owners.TryGetValue(inode, out index);

    public SocketOwner OwnerAt(int index) => _ownerByIndex[index]!;

    public void Prefetch(uint inode) => _owners.Prefetch(inode);

    /// <summary>
    /// Before the first dump only: one walk of every process, so that the first dump finds its
    /// owners as it streams and the aggregator holds back only the sockets opened meanwhile.
    /// The <see cref="Resolve"/> after it is then an ordinary incremental walk.
    /// </summary>
    public void Prepare()
    {
        if (_walk > 0)
        {
            return;
        }

        _walk++;
        WalkProcesses(fullRescan: false);
    }

    public void Resolve(IReadOnlyList<uint> unknownInodes)
    {
        if (unknownInodes.Count == 0)
        {
            return;
        }

        _walk++;
        WalkProcesses(fullRescan: false);
        var now = _time.GetTimestamp();
        var stillUnknown = 0;
        var newlyUnknown = false;
        foreach (var inode in unknownInodes)
        {
            if (_owners.ContainsKey(inode)) continue;
            stillUnknown++;
            newlyUnknown |= !_unresolvedAfterFullRescan.Contains(inode);
        }

        if (stillUnknown > 0 && (newlyUnknown || _time.GetElapsedTime(_lastFullRescan, now) >= FullRescanInterval || _lastFullRescan == long.MinValue))
        {
            _lastFullRescan = now;
            FullRescans++;
            WalkProcesses(fullRescan: true);
            _unresolvedAfterFullRescan.Clear();
            foreach (var inode in unknownInodes)
            {
                if (!_owners.ContainsKey(inode)) _unresolvedAfterFullRescan.Add(inode);
            }
        }
    }

    private void WalkProcesses(bool fullRescan)
    {
        // st_size of /proc/PID/fd is the number of open fds since Linux 6.2 and 0 before: our
        // own count tells which, so that on new kernels a 0 (kernel threads) is trusted.
        _fdCountsReliable ??= FdCount(Environment.ProcessId) > 0;
        var root = OpenDirectory(_procRoot);
        if (root == 0)
        {
            return;
        }

        var unreadable = 0;
        try
        {
            byte* entry;
            while ((entry = ProcFsNative.readdir(root)) != null)
            {
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + ProcFsNative.DirentNameOffset);
                if (!Utf8Parser.TryParse(name, out int pid, out var consumed) || consumed != name.Length || pid <= 0)
                {
                    continue;
                }

                var process = Visit(pid, fullRescan);
                if (process is { Unreadable: true })
                {
                    unreadable++;
                    AnUnreadableProcess ??= process.Owner;
                }
            }
        }
        finally
        {
            ProcFsNative.closedir(root);
        }

        UnreadableProcesses = unreadable;
        ForgetExitedProcesses();
    }

    // Brings one process's cache entry up to date; null when it vanished meanwhile (normal).
    private CachedProcess? Visit(int pid, bool fullRescan)
    {
        if (!TryReadStartTime(pid, out var startTime))
        {
            return null;
        }

        var fdCount = FdCount(pid);
        if (!_processes.TryGetValue(pid, out var process) || process.Owner.StartTime != startTime)
        {
            if (process is not null)
            {
                Forget(process); // the pid was reused: nothing the old process held carries over
            }

            process = Add(new SocketOwner(pid, startTime, ReadName(pid)));
            _processes[pid] = process;
            Rescan(process, fdCount);
        }
        else if (fullRescan ? !process.Unreadable : process.FdCount != fdCount || fdCount < 0 || (fdCount == 0 && _fdCountsReliable != true))
        {
            Rescan(process, fdCount);
        }

        process.SeenInWalk = _walk;
        return process;
    }

    private void Rescan(CachedProcess process, long fdCount)
    {
        ProcessScans++;
        process.FdCount = fdCount;
        ReleaseInodes(process);
        process.Unreadable = !TryReadSocketInodes(process.Owner.Pid, _scratchInodes);
        process.Inodes = _scratchInodes.ToArray();
        foreach (var inode in process.Inodes)
        {
            if (!_owners.TryGetValue(inode, out var current) || current == process.Index || process.Owner.IsPreferredOver(_processByIndex[current]!.Owner))
            {
                _owners.Set(inode, process.Index);
            }
        }
    }

    private CachedProcess Add(SocketOwner owner)
    {
        if (!_freeIndexes.TryPop(out var index))
        {
            index = _indexesUsed++;
            if (index == _processByIndex.Length)
            {
                Array.Resize(ref _processByIndex, index * 2);
                Array.Resize(ref _ownerByIndex, index * 2);
            }
        }

        var process = new CachedProcess(owner, index);
        _processByIndex[index] = process;
        _ownerByIndex[index] = owner;
        return process;
    }

    // Drops the inodes this process is the recorded owner of (a socket a preferred process
    // holds stays with that one).
    private void ReleaseInodes(CachedProcess process)
    {
        foreach (var inode in process.Inodes)
        {
            _owners.Remove(inode, process.Index);
        }
    }

    private void ForgetExitedProcesses()
    {
        List<CachedProcess>? exited = null;
        foreach (var process in _processes.Values)
        {
            if (process.SeenInWalk != _walk) (exited ??= []).Add(process);
        }

        if (exited is null) return;
        foreach (var process in exited)
        {
            Forget(process);
            _processes.Remove(process.Owner.Pid);
        }
    }

    private void Forget(CachedProcess process)
    {
        ReleaseInodes(process);
        _processByIndex[process.Index] = null;
        _ownerByIndex[process.Index] = null;
        _freeIndexes.Push(process.Index);
    }

    // Reads every fd link of the process; false when the directory cannot be read (no
    // permission). A process that exits meanwhile simply yields what was read.
    private bool TryReadSocketInodes(int pid, List<uint> inodes)
    {
        inodes.Clear();
        Span<byte> path = stackalloc byte[512];
        var directoryLength = ProcPath(path, pid, "/fd"u8);
        path[directoryLength] = 0;
        nint directory;
        fixed (byte* p = path)
        {
            directory = ProcFsNative.opendir(p);
        }

        if (directory == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is not (ProcFsNative.EACCES or ProcFsNative.EPERM);
        }

        try
        {
            path[directoryLength] = (byte)'/';
            Span<byte> link = stackalloc byte[64];
            byte* entry;
            while ((entry = ProcFsNative.readdir(directory)) != null)
            {
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + ProcFsNative.DirentNameOffset);
                if (name.IsEmpty || name[0] == (byte)'.' || directoryLength + 1 + name.Length >= path.Length - 1)
                {
                    continue;
                }

                name.CopyTo(path[(directoryLength + 1)..]);
                path[directoryLength + 1 + name.Length] = 0;
                nint length;
                fixed (byte* p = path)
                fixed (byte* l = link)
                {
                    length = ProcFsNative.readlink(p, l, link.Length);
                }

                // "socket:[12345]"
                if (length > 9 && link.StartsWith("socket:["u8) && link[(int)length - 1] == (byte)']'
                    && Utf8Parser.TryParse(link[8..((int)length - 1)], out uint inode, out _))
                {
                    inodes.Add(inode);
                }
            }
        }
        finally
        {
            ProcFsNative.closedir(directory);
        }

        return true;
    }

    private long FdCount(int pid)
    {
        Span<byte> path = stackalloc byte[512];
        var length = ProcPath(path, pid, "/fd"u8);
        path[length] = 0;
        Span<byte> stat = stackalloc byte[ProcFsNative.StatBufferSize];
        fixed (byte* p = path)
        fixed (byte* s = stat)
        {
            return ProcFsNative.stat(p, s) == 0 ? MemoryMarshal.Read<long>(stat[ProcFsNative.StatSizeOffset..]) : -1;
        }
    }

    private bool TryReadStartTime(int pid, out ulong startTime)
    {
        startTime = 0;
        Span<byte> content = stackalloc byte[1024];
        var length = ReadSmallFile(pid, "/stat"u8, content);
        if (length <= 0) return false;
        var text = content[..length];
        // The name (field 2) is in parentheses and may contain anything, so count fields from
        // the last ')'; starttime is field 22, the 20th after it.
        var close = text.LastIndexOf((byte)')');
        if (close < 0) return false;
        var rest = text[(close + 1)..];
        var field = 0;
        var i = 0;
        while (i < rest.Length)
        {
            while (i < rest.Length && rest[i] == (byte)' ') i++;
            var start = i;
            while (i < rest.Length && rest[i] != (byte)' ') i++;
            if (++field == 20)
            {
                return Utf8Parser.TryParse(rest[start..i], out startTime, out _);
            }
        }

        return false;
    }

    private string ReadName(int pid)
    {
        Span<byte> content = stackalloc byte[4096];
        switch (_nameSource)
        {
            case ProcessNameSource.Exe:
            {
                Span<byte> path = stackalloc byte[512];
                var length = ProcPath(path, pid, "/exe"u8);
                path[length] = 0;
                nint read;
                fixed (byte* p = path)
                fixed (byte* c = content)
                {
                    read = ProcFsNative.readlink(p, c, content.Length);
                }

                if (read > 0)
                {
                    var target = content[..(int)read];
                    if (target.EndsWith(" (deleted)"u8)) target = target[..^10];
                    return Decode(target[(target.LastIndexOf((byte)'/') + 1)..]);
                }

                break;
            }

            case ProcessNameSource.Unit:
            {
                var length = ReadSmallFile(pid, "/cgroup"u8, content);
                var text = content[..Math.Max(length, 0)];
                while (!text.IsEmpty)
                {
                    var newline = text.IndexOf((byte)'\n');
                    var line = newline < 0 ? text : text[..newline];
                    text = newline < 0 ? [] : text[(newline + 1)..];
                    // cgroup v2: "0::/system.slice/nginx.service"; the root cgroup "0::/" names nothing.
                    if (line.StartsWith("0::/"u8) && line.Length > 4)
                    {
                        return Decode(line[(line.LastIndexOf((byte)'/') + 1)..]);
                    }
                }

                break;
            }
        }

        var commLength = ReadSmallFile(pid, "/comm"u8, content);
        return commLength > 0 ? Decode(content[..commLength].TrimEnd((byte)'\n')) : "";
    }

    // Process names are bytes; invalid UTF-8 becomes U+FFFD rather than failing.
    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private int ReadSmallFile(int pid, ReadOnlySpan<byte> file, Span<byte> content)
    {
        Span<byte> path = stackalloc byte[512];
        var length = ProcPath(path, pid, file);
        path[length] = 0;
        int fd;
        fixed (byte* p = path)
        {
            fd = ProcFsNative.open(p, ProcFsNative.ORdOnly | ProcFsNative.OCloexec);
        }

        if (fd < 0) return -1;
        try
        {
            fixed (byte* c = content)
            {
                return (int)ProcFsNative.read(fd, c, content.Length);
            }
        }
        finally
        {
            ProcFsNative.close(fd);
        }
    }

    // Writes "{procRoot}/{pid}{suffix}" and returns its length (no terminator).
    private int ProcPath(Span<byte> path, int pid, ReadOnlySpan<byte> suffix)
    {
        _procRoot.CopyTo(path);
        var length = _procRoot.Length;
        path[length++] = (byte)'/';
        Utf8Formatter.TryFormat(pid, path[length..], out var written);
        length += written;
        suffix.CopyTo(path[length..]);
        return length + suffix.Length;
    }

    private static nint OpenDirectory(byte[] path)
    {
        Span<byte> terminated = stackalloc byte[path.Length + 1];
        path.CopyTo(terminated);
        terminated[^1] = 0;
        fixed (byte* p = terminated)
        {
            return ProcFsNative.opendir(p);
        }
    }
}
