namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// Wall time of 'ip netns exec NS ss -tanp &gt; /dev/null'. <see cref="Capped"/> means a run hit the
/// cap: the real time is longer than <see cref="Median"/>, which is then the cap itself.
/// </summary>
/// <param name="Median">Median over the runs made (a capped run stops the series).</param>
/// <param name="Runs">Runs made.</param>
/// <param name="Capped">Whether a run was killed at the cap.</param>
/// <param name="StartOverhead">Median of 'ip netns exec NS sh -c true': the part of each run that is not ss.</param>
internal sealed record SsTiming(TimeSpan Median, int Runs, bool Capped, TimeSpan StartOverhead);
