using System.Runtime.InteropServices;

namespace TcpState.Kernel.Netlink;

/// <summary>
/// The few libc calls System.Net.Sockets cannot make: it refuses AF_NETLINK
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
}
