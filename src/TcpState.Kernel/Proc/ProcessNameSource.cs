namespace TcpState.Kernel.Proc;

/// <summary>What the <c>process</c> label shows (setting <c>--process.name</c>).</summary>
public enum ProcessNameSource
{
    /// <summary><c>/proc/PID/comm</c>: the kernel's 15-byte task name. Always readable.</summary>
    Comm,

    /// <summary>The base name of <c>/proc/PID/exe</c>; falls back to comm when the link cannot be read.</summary>
    Exe,

    /// <summary>The last component of the process's cgroup (v2) path: the systemd unit (<c>nginx.service</c>) or container scope; falls back to comm at the root cgroup.</summary>
    Unit,
}
