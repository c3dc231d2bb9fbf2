using System.Runtime.InteropServices;

namespace TcpState.Tests.Infrastructure;

/// <summary>The libc calls needed to move one thread into a network namespace.</summary>
internal static partial class NamespaceNative
{
    // From <sched.h>: restricts setns() to network namespaces, so a wrong file fails instead of switching something else.
    public const int CloneNewNet = 0x40000000;

    // From <fcntl.h>; O_CLOEXEC keeps the namespace fd out of child processes started meanwhile.
    public const int ReadOnly = 0;
    public const int CloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);
}
