using System.Runtime.InteropServices;
using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;

namespace TcpState.Kernel.Namespaces;

/// <summary>
/// Opens a <c>NETLINK_SOCK_DIAG</c> socket inside another network namespace. A netlink socket
/// dumps the namespace it was created in, whatever thread reads it later, so a short-lived
/// dedicated thread enters the namespace (<c>setns</c>, which needs CAP_SYS_ADMIN), creates the
/// socket, reads the namespace's ephemeral port range, returns to its own namespace and exits.
/// No thread-pool thread ever changes namespace.
/// </summary>
public static class NamespaceNetlink
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A reader dumping the namespace at <paramref name="namespacePath"/>, its port range (null if
    /// unreadable), and whether it shares the host's TCP hash table (null if unknown).
    /// </summary>
    /// <exception cref="SocketTableException">
    /// Reason <c>netns_denied</c> (no CAP_SYS_ADMIN: setns refused), <c>netns_gone</c> (the namespace
    /// or process vanished), or a netlink reason.
    /// </exception>
    public static (InetDiagReader Reader, PortRange? Range, bool? SharedHashTable) Open(string namespacePath, string procRoot)
    {
        (InetDiagReader, PortRange?, bool?)? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = OpenOnThisThread(namespacePath, procRoot);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "tcpstate netns open",
        };
        thread.Start();
        if (!thread.Join(Timeout))
        {
            throw new SocketTableException("timeout", $"entering the network namespace {namespacePath} did not finish within {Timeout.TotalSeconds:0} s");
        }

        if (failure is not null)
        {
            throw failure is SocketTableException ? failure : new SocketTableException("netns_error", $"cannot open a netlink socket in {namespacePath}: {failure.Message}", failure);
        }

        return result!.Value;
    }

    private static (InetDiagReader, PortRange?, bool?) OpenOnThisThread(string namespacePath, string procRoot)
    {
        var own = LibC.open("/proc/thread-self/ns/net", LibC.OReadOnlyCloexec);
        if (own < 0) throw Error("netns_error", "cannot open this thread's own namespace /proc/thread-self/ns/net", Marshal.GetLastPInvokeError());
        try
        {
            var target = LibC.open(namespacePath, LibC.OReadOnlyCloexec);
            if (target < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw Error(errno == ProcFsNative.ENOENT ? "netns_gone" : errno is ProcFsNative.EACCES or ProcFsNative.EPERM ? "netns_denied" : "netns_error", $"cannot open {namespacePath}", errno);
            }

            try
            {
                if (LibC.setns(target, LibC.CloneNewNet) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw Error(errno == ProcFsNative.EPERM ? "netns_denied" : "netns_error", $"cannot enter {namespacePath} (setns needs CAP_SYS_ADMIN)", errno);
                }

                try
                {
                    var reader = InetDiagReader.Open();
                    // /proc/sys/net shows the namespace of the thread that opens the file.
                    return (reader, new PortRangeReader(procRoot).Read(), SharesHostHashTable(procRoot));
                }
                finally
                {
                    // If returning fails the thread stays in the other namespace, but it exits now
                    // and nothing else runs on it.
                    _ = LibC.setns(own, LibC.CloneNewNet);
                }
            }
            finally
            {
                LibC.close(target);
            }
        }
        finally
        {
            LibC.close(own);
        }
    }

    /// <summary>
    /// net.ipv4.tcp_ehash_entries of the current thread's namespace reads negative when the
    /// namespace uses the host's (global) established hash table: every dump of it walks the whole
    /// host table. Null when the file is absent (kernels before 6.1) or unreadable.
    /// </summary>
    public static bool? SharesHostHashTable(string procRoot)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(procRoot, "sys", "net", "ipv4", "tcp_ehash_entries")).Trim();
            return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var entries) ? entries < 0 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static SocketTableException Error(string reason, string what, int errno) =>
        new(reason, $"{what}: {NetlinkErrors.Describe(errno)}");
}
