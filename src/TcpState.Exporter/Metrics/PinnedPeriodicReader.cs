using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpState.Exporter.Metrics;

/// <summary>
/// What <see cref="PeriodicExportingMetricReader"/> does (collect and push every interval, and once
/// more on shutdown), with each collection wrapped in a pin (<see cref="TcpStateMetrics.PinSnapshot"/>)
/// so that every instrument of one push reads the same sample, as every family of one scrape does.
/// A push-mode exporter inside a <see cref="BaseExportingMetricReader"/>, collected from a dedicated
/// thread.
/// </summary>
internal sealed class PinnedPeriodicReader
{
    private readonly int _intervalMilliseconds;
    private readonly int _timeoutMilliseconds;
    private readonly Func<IDisposable> _pin;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;

    public PinnedPeriodicReader(BaseExporter<Metric> exporter, int intervalMilliseconds, int timeoutMilliseconds, Func<IDisposable> pin, MetricReaderTemporalityPreference temporality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalMilliseconds, 1);
        _intervalMilliseconds = intervalMilliseconds;
        _timeoutMilliseconds = timeoutMilliseconds;
        _pin = pin;
        Reader = new BaseExportingMetricReader(exporter) { TemporalityPreference = temporality };
    }

    /// <summary>The reader to add to the meter provider.</summary>
    public MetricReader Reader { get; }

    /// <summary>Starts the periodic pushes; the first one interval from now. Call once the provider is built.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "tcpstate otlp push" };
        _thread.Start();
    }

    // A push still in flight when the shutdown budget runs out finishes on this background thread
    // after the provider is gone; the loop then sees the stop and ends. Nothing here may throw: an
    // exception on this thread would end the process.
    private void Run()
    {
        while (!_stop.Wait(_intervalMilliseconds))
        {
            try
            {
                using (_pin())
                {
                    Reader.Collect(_timeoutMilliseconds);
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Stops the pushes and shuts the provider down, which pushes once more (pinned too), all within
    /// <paramref name="timeoutMilliseconds"/>: a push in flight to a collector that does not answer
    /// takes from the same budget.
    /// </summary>
    public bool Shutdown(MeterProvider provider, int timeoutMilliseconds)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        _stop.Set();
        _thread?.Join(timeoutMilliseconds);
        var remaining = (int)Math.Max(0, timeoutMilliseconds - elapsed.ElapsedMilliseconds);
        using (_pin())
        {
            return provider.Shutdown(remaining);
        }
    }
}
