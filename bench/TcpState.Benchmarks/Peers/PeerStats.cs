namespace TcpState.Benchmarks.Peers;

/// <summary>The runs of one peer at one size, summarised by medians.</summary>
internal sealed class PeerStats(string key)
{
    private readonly List<RunTiming> _runs = [];

    public string Key { get; } = key;

    public IReadOnlyList<RunTiming> Runs => _runs;

    public bool Any => _runs.Count > 0;

    public bool Capped => _runs.Any(r => r.Capped);

    public double Wall => Median(r => r.WallMs);

    public double Cpu => Median(r => r.CpuMs);

    public double Allocated => _runs.All(r => r.AllocatedBytes is not null) ? Median(r => r.AllocatedBytes!.Value) : double.NaN;

    public double SocketsSeen => Median(r => r.SocketsSeen);

    public long MinSocketsBefore => _runs.Count == 0 ? 0 : _runs.Min(r => r.SocketsBefore);

    public long MaxSocketsBefore => _runs.Count == 0 ? 0 : _runs.Max(r => r.SocketsBefore);

    /// <summary>The longest run so far: what the next one is expected to need.</summary>
    public TimeSpan Longest => TimeSpan.FromMilliseconds(_runs.Count == 0 ? 0 : _runs.Max(r => r.WallMs));

    public void Add(RunTiming run) => _runs.Add(run);

    private double Median(Func<RunTiming, double> selector)
    {
        var values = _runs.Select(selector).Where(double.IsFinite).ToList();
        return values.Count == 0 ? double.NaN : Statistics.Median(values);
    }
}
