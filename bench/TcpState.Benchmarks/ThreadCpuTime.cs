using System.Runtime.InteropServices;

namespace TcpState.Benchmarks;

/// <summary>
/// CPU time of the calling thread, split into user and kernel time (getrusage RUSAGE_THREAD, in
/// microseconds): tells a sample's own work (parsing, counting) from the kernel's (the netlink
/// dump, /proc reads), which wall time alone cannot.
/// </summary>
internal static unsafe partial class ThreadCpuTime
{
    // From <sys/resource.h>.
    private const int RusageThread = 1;

    // struct rusage: two struct timevals (user, system) then 14 longs; 18 longs in all on 64-bit Linux.
    private const int RusageLongs = 18;

    /// <summary>User and system CPU time the calling thread has used so far.</summary>
    public static (TimeSpan User, TimeSpan System) Now()
    {
        var usage = stackalloc long[RusageLongs];
        if (GetRUsage(RusageThread, usage) != 0)
        {
            throw new InvalidOperationException($"getrusage(RUSAGE_THREAD) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return (Timeval(usage[0], usage[1]), Timeval(usage[2], usage[3]));
    }

    /// <summary>The kernel's share of the CPU time used between two readings; NaN when none was accounted.</summary>
    public static double KernelShare((TimeSpan User, TimeSpan System) before, (TimeSpan User, TimeSpan System) after)
    {
        var user = (after.User - before.User).TotalMilliseconds;
        var system = (after.System - before.System).TotalMilliseconds;
        return user + system > 0 ? system / (user + system) : double.NaN;
    }

    private static TimeSpan Timeval(long seconds, long microseconds) =>
        TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(microseconds);

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRUsage(int who, long* usage);
}
