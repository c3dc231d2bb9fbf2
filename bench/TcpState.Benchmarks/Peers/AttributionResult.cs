namespace TcpState.Benchmarks.Peers;

/// <summary>Process attribution on the size's sockets (the attribution mode's measures, on this load).</summary>
/// <param name="ColdMs">The first sample's AttributionDuration: every process's fds read.</param>
/// <param name="SteadyMs">(A) median AttributionDuration of the steady samples.</param>
/// <param name="OverheadMs">(B) median paired difference, sample with attribution minus sample without, same round.</param>
/// <param name="ChurnMs">AttributionDuration of the sample right after one holder was replaced by a new process.</param>
/// <param name="ChurnScans">Processes whose fds that sample read.</param>
/// <param name="SsTanp">'ss -tanp' runs (capped).</param>
internal sealed record AttributionResult(double ColdMs, double SteadyMs, double OverheadMs, double ChurnMs, long ChurnScans, PeerStats SsTanp);
