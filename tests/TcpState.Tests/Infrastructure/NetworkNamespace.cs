using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace TcpState.Tests.Infrastructure;

/// <summary>
/// A fresh network namespace with only 'lo' (up), so socket counts in it are exact and independent of the host.
/// Dispose kills the processes started through it and deletes it. Requires root (CAP_SYS_ADMIN).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    public const string NamePrefix = "tcpstate-test-";

    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultRunInsideTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<Process> _started = [];
    private bool _disposed;

    public NetworkNamespace()
    {
        // Random suffix: parallel tests and parallel test runs must never share a namespace.
        Name = NamePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Path = "/run/netns/" + Name;
        ProcessRunner.Run(SystemTools.Ip, ["netns", "add", Name], DefaultCommandTimeout).EnsureSuccess();
        try
        {
            // A new namespace has 'lo' down; without it nothing can connect to 127.0.0.1 or ::1.
            ProcessRunner.Run(SystemTools.Ip, ["-n", Name, "link", "set", "lo", "up"], DefaultCommandTimeout).EnsureSuccess();
            Identity = Exec("readlink", "/proc/self/ns/net").EnsureSuccess().StandardOutput.Trim();
        }
        catch
        {
            ProcessRunner.Run(SystemTools.Ip, ["netns", "delete", Name], DefaultCommandTimeout);
            throw;
        }
    }

    /// <summary>The name for 'ip netns' / 'ip -n', e.g. tcpstate-test-1a2b3c4d.</summary>
    public string Name { get; }

    /// <summary>The bind-mounted namespace file, /run/netns/NAME.</summary>
    public string Path { get; }

    /// <summary>
    /// The namespace as the kernel names it, e.g. "net:[4026532345]"; equals readlink /proc/PID/ns/net of every
    /// process inside, which lets a test prove where a process or thread is.
    /// </summary>
    public string Identity { get; }

    /// <summary>Runs a command inside the namespace ('ip netns exec') and waits for it, at most DefaultCommandTimeout.</summary>
    public ProcessResult Exec(string fileName, params string[] arguments) => Exec(DefaultCommandTimeout, fileName, arguments);

    /// <summary>Runs a command inside the namespace and waits for it; a command still running after timeout is killed and a TimeoutException thrown.</summary>
    public ProcessResult Exec(TimeSpan timeout, string fileName, params string[] arguments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ProcessRunner.Run(SystemTools.Ip, ExecArguments(fileName, arguments), timeout);
    }

    /// <summary>
    /// Starts a long-running command inside the namespace with stdin, stdout and stderr redirected; the caller must
    /// consume stdout and stderr. 'ip netns exec' execs the command, so Process.Id is the command's own pid.
    /// The process is killed on Dispose if still running.
    /// </summary>
    public Process Start(string fileName, IEnumerable<string> arguments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var startInfo = new ProcessStartInfo(SystemTools.Ip)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in ExecArguments(fileName, arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start '{fileName}' in namespace {Name}");
        lock (_gate)
        {
            _started.Add(process);
        }

        return process;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread that has entered the namespace; see <see cref="RunInside{T}(Func{T}, TimeSpan)"/>.</summary>
    public void RunInside(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        RunInside<object?>(() =>
        {
            action();
            return null;
        });
    }

    /// <summary>Runs <paramref name="function"/> inside the namespace, at most DefaultRunInsideTimeout.</summary>
    public T RunInside<T>(Func<T> function) => RunInside(function, DefaultRunInsideTimeout);

    /// <summary>
    /// Runs <paramref name="function"/> on a dedicated new thread (never a thread-pool thread) that has entered the
    /// namespace with setns(CLONE_NEWNET). setns only moves the calling thread, so sockets created by the function
    /// (e.g. netlink) and /proc/thread-self/net/* and /proc/sys/net/* read by it belong to the namespace; sockets keep
    /// their namespace after the function returns. Keep the function synchronous: threads created from inside it
    /// inherit the namespace, so starting tasks or async I/O there could leave thread-pool threads in it.
    /// Exceptions are rethrown on the caller's thread.
    /// </summary>
    public T RunInside<T>(Func<T> function, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(function);
        ObjectDisposedException.ThrowIf(_disposed, this);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = EnterAndRun(function);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            // Background: a function stuck past the timeout must not keep the test host alive.
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        if (!thread.Join(timeout))
        {
            throw new TimeoutException($"function inside namespace {Name} did not finish within {timeout.TotalSeconds} s");
        }

        failure?.Throw();
        return result;
    }

    /// <summary>Reads a sysctl of this namespace, e.g. "net.ipv4.tcp_fin_timeout".</summary>
    public string ReadSysctl(string name) => RunInside(() => File.ReadAllText(SysctlPath(name)).Trim());

    /// <summary>Sets a per-namespace sysctl (net.*), e.g. net.ipv4.tcp_tw_reuse=0, without touching the host's value.</summary>
    public void WriteSysctl(string name, string value) => RunInside(() => File.WriteAllText(SysctlPath(name), value));

    /// <summary>Pids of all processes whose main thread is in the namespace ('ip netns pids').</summary>
    public IReadOnlyList<int> Pids()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var output = ProcessRunner.Run(SystemTools.Ip, ["netns", "pids", Name], DefaultCommandTimeout).EnsureSuccess().StandardOutput;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
    }

    public void Dispose()
    {
        List<Process> started;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            started = [.. _started];
            _started.Clear();
        }

        foreach (var process in started)
        {
            Kill(process);
        }

        // Anything else still in the namespace was started by one of our processes; it would otherwise keep the
        // namespace (and its sockets) alive after the name is gone.
        foreach (var text in LeftoverPids())
        {
            if (int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    Kill(process);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }

        Delete();
    }

    private string[] LeftoverPids()
    {
        try
        {
            return ProcessRunner.Run(SystemTools.Ip, ["netns", "pids", Name], DefaultCommandTimeout).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (TimeoutException)
        {
            // Best effort only: deleting the namespace below matters more than this sweep.
            return [];
        }
    }

    private static string SysctlPath(string name) => "/proc/sys/" + name.Replace('.', '/');

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(KillWait);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited, or already disposed by its owner (e.g. SocketHolderProcess) - nothing left to kill.
        }
    }

    private static void SetNs(int fd, string what)
    {
        if (NamespaceNative.SetNs(fd, NamespaceNative.CloneNewNet) != 0)
        {
            throw new InvalidOperationException($"setns({what}, CLONE_NEWNET) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    private static int OpenNamespace(string path)
    {
        var fd = NamespaceNative.Open(path, NamespaceNative.ReadOnly | NamespaceNative.CloseOnExec);
        if (fd < 0)
        {
            throw new InvalidOperationException($"open({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return fd;
    }

    private static string? CurrentThreadNamespace() => new FileInfo("/proc/thread-self/ns/net").LinkTarget;

    private T EnterAndRun<T>(Func<T> function)
    {
        var original = OpenNamespace("/proc/thread-self/ns/net");
        try
        {
            var target = OpenNamespace(Path);
            try
            {
                SetNs(target, Path);
            }
            finally
            {
                NamespaceNative.Close(target);
            }

            try
            {
                // Cheap proof that the switch happened, instead of silently testing the host namespace.
                var current = CurrentThreadNamespace();
                if (current != Identity)
                {
                    throw new InvalidOperationException($"thread is in {current} after setns, expected {Identity}");
                }

                return function();
            }
            finally
            {
                // The thread ends right after this, but switching back keeps the OS thread's last moments (and any
                // runtime bookkeeping on it) in the host namespace. A failure here cannot affect other threads.
                _ = NamespaceNative.SetNs(original, NamespaceNative.CloneNewNet);
            }
        }
        finally
        {
            NamespaceNative.Close(original);
        }
    }

    private List<string> ExecArguments(string fileName, IEnumerable<string> arguments) =>
        ["netns", "exec", Name, fileName, .. arguments];

    private void Delete()
    {
        // 'ip netns delete' can transiently fail (EBUSY) while the kernel is still tearing down killed processes.
        ProcessResult? last = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            last = ProcessRunner.Run(SystemTools.Ip, ["netns", "delete", Name], DefaultCommandTimeout);
            if (last.ExitCode == 0 || !File.Exists(Path))
            {
                return;
            }

            Thread.Sleep(100);
        }

        last?.EnsureSuccess();
    }
}
