using System.Runtime.InteropServices;

namespace TcpState.Kernel;

/// <summary>
/// CPU time used so far, user and system (<c>clock_gettime</c>): the kernel's work on a thread's
/// behalf, such as walking the socket table for a netlink dump or reading /proc, counts too. The
/// difference of two readings around a piece of work is what it cost.
/// </summary>
public static unsafe partial class CpuClock
{
    private const int ClockProcessCpuTimeId = 2; // <linux/time.h>
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>
    /// The calling thread's CPU time so far (<c>CLOCK_THREAD_CPUTIME_ID</c>), or null if the clock
    /// cannot be read: what work done on this thread alone costs.
    /// </summary>
    public static TimeSpan? Thread() => Read(ClockThreadCpuTimeId);

    /// <summary>
    /// The whole process's CPU time so far, every thread's, live and exited
    /// (<c>CLOCK_PROCESS_CPUTIME_ID</c>), or null if the clock cannot be read: what a piece of work
    /// costs with what the runtime does alongside it (garbage collections, the JIT compiling the
    /// methods it made hot), and whatever else the process did meanwhile.
    /// </summary>
    public static TimeSpan? Process() => Read(ClockProcessCpuTimeId);

    private static TimeSpan? Read(int clock)
    {
        Timespec time;
        if (clock_gettime(clock, &time) != 0)
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
