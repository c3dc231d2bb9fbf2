namespace TcpState.Benchmarks.Attribution;

/// <summary>The measurements of one size (one column of the table).</summary>
/// <param name="Size">Sockets asked for.</param>
/// <param name="Sockets">Sockets 'ss -tanH' counted in the namespace before measuring.</param>
/// <param name="Processes">SocketHolder processes holding them.</param>
/// <param name="ColdSample">The first sample, whose attribution reads every process's fds.</param>
/// <param name="ColdAttribution">Of <paramref name="ColdSample"/>, <see cref="TcpState.Core.SocketSnapshot.AttributionDuration"/>.</param>
/// <param name="SteadySample">Median whole-sample time over the steady-state samples.</param>
/// <param name="SteadyAttribution">Median <see cref="TcpState.Core.SocketSnapshot.AttributionDuration"/> over the steady-state samples.</param>
/// <param name="SteadyWithoutAttribution">Median whole-sample time of the same sampler without process attribution, interleaved with the steady samples.</param>
/// <param name="AttributionOverhead">Median of the paired differences (with minus without attribution): what attribution really adds to a steady sample, per-socket lookups during the dump included.</param>
/// <param name="AllocatedBytes">Median bytes allocated by the sampling thread per steady-state sample.</param>
/// <param name="KernelShare">Share of the steady samples' CPU time spent in the kernel (summed over all of them).</param>
/// <param name="ChurnAttribution">AttributionDuration of the sample right after one holder was replaced.</param>
/// <param name="ChurnSample">Whole-sample time of that sample.</param>
/// <param name="Ss">'ss -tanp' on the same sockets.</param>
/// <param name="Phases">Where a steady sample's time goes.</param>
/// <param name="Problems">Attribution errors found by the checks; empty means OK.</param>
/// <param name="Notes">Details printed under the table.</param>
internal sealed record SizeResult(
    int Size,
    int Sockets,
    int Processes,
    TimeSpan ColdSample,
    TimeSpan ColdAttribution,
    TimeSpan SteadySample,
    TimeSpan SteadyAttribution,
    TimeSpan SteadyWithoutAttribution,
    TimeSpan AttributionOverhead,
    long AllocatedBytes,
    double KernelShare,
    TimeSpan ChurnAttribution,
    TimeSpan ChurnSample,
    SsTiming Ss,
    PhaseBreakdown Phases,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes);
