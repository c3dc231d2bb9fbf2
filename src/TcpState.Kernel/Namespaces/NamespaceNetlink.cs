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

    /// <summary>A reader dumping the namespace at <paramref name="namespacePath"/>, and its port range (null if unreadable).</summary>
    /// <exception cref="SocketTableException">
    /// Reason <c>netns_denied</c> (no CAP_SYS_ADMIN: setns refused), <c>netns_gone</c> (the namespace
    /// or process vanished), or a netlink reason.
    /// </exception>
    public static (InetDiagReader Reader, PortRange? Range) Open(string namespacePath, string procRoot)
    {
        (InetDiagReader, PortRange?)? result = null;
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

    private static (InetDiagReader, PortRange?) OpenOnThisThread(string namespacePath, string procRoot)
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
                    return (reader, new PortRangeReader(procRoot).Read());
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

    private static SocketTableException Error(string reason, string what, int errno) =>
        new(reason, $"{what}: {NetlinkErrors.Describe(errno)}");
}
