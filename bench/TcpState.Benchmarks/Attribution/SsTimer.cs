using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Attribution;

/// <summary>Times 'ss -tanp' inside a namespace, the way an operator would run it, output discarded.</summary>
internal static class SsTimer
{
    /// <summary>A run longer than this is killed and reported as "&gt; cap".</summary>
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(120);

    public static SsTiming Measure(NetworkNamespace networkNamespace, int runs, CancellationToken cancellation)
    {
        // The redirection needs a shell; 'exec' makes ss replace it, so the shell adds only its start-up,
        // which the overhead runs below measure.
        var command = $"exec {SystemTools.Ss} -tanp > /dev/null";
        var overhead = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            overhead.Add(Time(networkNamespace, "exec true", NetworkNamespace.DefaultCommandTimeout).TotalMilliseconds);
        }

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                times.Add(Time(networkNamespace, command, Cap).TotalMilliseconds);
            }
            catch (TimeoutException)
            {
                // One capped run is enough to know the answer is "more than the cap"; more would only
                // spend another two minutes each.
                return new SsTiming(Cap, i + 1, Capped: true, TimeSpan.FromMilliseconds(Statistics.Median(overhead)));
            }
        }

        return new SsTiming(TimeSpan.FromMilliseconds(Statistics.Median(times)), runs, Capped: false, TimeSpan.FromMilliseconds(Statistics.Median(overhead)));
    }

    private static TimeSpan Time(NetworkNamespace networkNamespace, string script, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        networkNamespace.Exec(timeout, "/bin/sh", "-c", script).EnsureSuccess();
        return clock.Elapsed;
    }
}
