using System.Runtime.InteropServices;

namespace TcpState.Benchmarks;

/// <summary>
/// The calling thread's CPU time in nanoseconds (clock_gettime CLOCK_THREAD_CPUTIME_ID): the
/// scheduler's exact runtime, fine enough for one sample of a few milliseconds, where getrusage's
/// tick-based accounting (<see cref="ThreadCpuTime"/>) is not.
/// </summary>
internal static unsafe partial class ThreadCpuClock
{
    // From <time.h>.
    private const int ClockThreadCpuTimeId = 3;

    public static long Nanoseconds()
    {
        var time = stackalloc long[2];
        if (ClockGetTime(ClockThreadCpuTimeId, time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return (time[0] * 1_000_000_000) + time[1];
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, long* time);
}
