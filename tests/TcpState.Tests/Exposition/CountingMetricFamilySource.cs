using TcpState.Exposition;

namespace TcpState.Tests.Exposition;

/// <summary>
/// A metric source that counts collections and can hold one open until the test releases it;
/// optionally with a family of many series (for bodies that span several pooled segments).
/// </summary>
internal sealed class CountingMetricFamilySource : IMetricFamilySource, IDisposable
{
    private readonly ManualResetEventSlim release;
    private readonly int series;
    private int collections;

    public CountingMetricFamilySource(bool blockUntilReleased = false, int series = 0)
    {
        this.release = new ManualResetEventSlim(!blockUntilReleased);
        this.series = series;
    }

    public int Collections => Volatile.Read(ref this.collections);

    public SemaphoreSlim CollectionStarted { get; } = new(0);

    public Exception? FailWith { get; set; }

    public IReadOnlyList<MetricFamily> Collect()
    {
        var number = Interlocked.Increment(ref this.collections);
        this.CollectionStarted.Release();
        if (!this.release.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The test never released the collection.");
        }

        if (this.FailWith is { } failure)
        {
            throw failure;
        }

        var collection = new MetricFamily("test_collection", MetricFamilyType.Gauge, "Collection number.", null, [new MetricSample([], number)]);
        if (this.series == 0)
        {
            return [collection];
        }

        // Every series carries the collection number, so a body overwritten by a later collection shows.
        var samples = Enumerable.Range(0, this.series)
            .Select(i => new MetricSample([new MetricLabel("port", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new MetricLabel("process", "a-fairly-long-process-name")], number))
            .ToList();
        return [collection, new MetricFamily("test_series", MetricFamilyType.Gauge, "Many series.", null, samples)];
    }

    public void Release() => this.release.Set();

    public void Dispose()
    {
        this.release.Dispose();
        this.CollectionStarted.Dispose();
    }
}
