using TcpState.Exposition;

namespace TcpState.Tests.Exposition;

/// <summary>A metric source that counts collections and can hold one open until the test releases it.</summary>
internal sealed class CountingMetricFamilySource : IMetricFamilySource, IDisposable
{
    private readonly ManualResetEventSlim release;
    private int collections;

    public CountingMetricFamilySource(bool blockUntilReleased = false)
    {
        this.release = new ManualResetEventSlim(!blockUntilReleased);
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

        return [new MetricFamily("test_collection", MetricFamilyType.Gauge, "Collection number.", null, [new MetricSample([], number)])];
    }

    public void Release() => this.release.Set();

    public void Dispose()
    {
        this.release.Dispose();
        this.CollectionStarted.Dispose();
    }
}
