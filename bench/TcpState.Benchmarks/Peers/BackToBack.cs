namespace TcpState.Benchmarks.Peers;

/// <summary>
/// Ours against the C reference run back to back: per triple (our sample, our sample with
/// attribution, the C reference, in rotated order, on the same sockets) the ratio of the wall times.
/// </summary>
/// <param name="Bare">Ours / C reference, one ratio per triple.</param>
/// <param name="Attributed">Ours with attribution / C reference, one ratio per triple.</param>
internal sealed record BackToBack(IReadOnlyList<double> Bare, IReadOnlyList<double> Attributed)
{
    public int Triples => Bare.Count;

    public double BareMedian => Statistics.Median(Bare);

    public double AttributedMedian => Statistics.Median(Attributed);
}
