using System.Runtime.InteropServices;

namespace TcpState.Kernel;

/// <summary>
/// The CPU time the calling thread has used, user and system (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>):
/// the kernel's work on the thread's behalf, such as walking the socket table for a netlink dump
/// or reading /proc, counts too. A sample runs synchronously on one thread, so the difference of
/// two readings around it is what it cost.
/// </summary>
public static unsafe partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3; // <linux/time.h>

    /// <summary>The calling thread's CPU time so far, or null if the clock cannot be read.</summary>
    public static TimeSpan? Now()
    {
        Timespec time;
        if (clock_gettime(ClockThreadCpuTimeId, &time) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
    }

    // struct timespec of 64-bit Linux: two longs.
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, Timespec* time);
}
