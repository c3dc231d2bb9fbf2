using System.Runtime.InteropServices;

namespace TcpState.Kernel.Proc;

/// <summary>
/// The libc calls that walk /proc without allocating per entry: directory listing, readlink and
/// stat into stack buffers. Layouts are glibc's on 64-bit Linux (x86-64 and arm64 agree on the
/// offsets used here): <c>struct dirent</c> has <c>d_name</c> at +19, <c>struct stat</c> has
/// <c>st_size</c> at +48.
/// </summary>
internal static unsafe partial class ProcFsNative
{
    public const int DirentNameOffset = 19;
    public const int StatSizeOffset = 48;
    public const int StatBufferSize = 256;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EACCES = 13;
    public const int EPERM = 1;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint opendir(string path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint opendir(byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial byte* readdir(nint directory);

    [LibraryImport("libc")]
    public static partial int closedir(nint directory);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint readlink(byte* path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int stat(byte* path, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    public static partial int close(int fd);

    public const int ORdOnly = 0;
    public const int OCloexec = 0x80000;
}
