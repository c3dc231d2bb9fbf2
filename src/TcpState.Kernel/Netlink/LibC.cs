using System.Runtime.InteropServices;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// The few libc calls System.Net.Sockets cannot make (and setns, to open one in another namespace): it refuses AF_NETLINK
/// (dotnet/runtime#58327), so the socket is created and read through P/Invoke.
/// </summary>
internal static unsafe partial class LibC
{
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    /// <summary>Moves the calling thread (only) into the namespace <paramref name="fd"/> refers to.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setns(int fd, int namespaceType);

    internal const int OReadOnlyCloexec = 0x80000;
    internal const int CloneNewNet = 0x40000000;
}
