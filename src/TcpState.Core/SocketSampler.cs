namespace TcpState.Core;

/// <summary>
/// Takes one sample: learns the listening ports, dumps the table through the source, retries a
/// dump the kernel flagged as inconsistent, and returns the snapshot. Not thread-safe: one
/// sampling loop owns it.
/// </summary>
public sealed class SocketSampler
{
    /// <summary>Dumps tried per sample before an interrupted dump counts as a failed sample.</summary>
    public const int MaxAttempts = 3;

    private readonly SocketTableAggregator _aggregator;
    private readonly ISocketOwnerLookup? _owners;
    private readonly TimeProvider _time;
    private readonly int _maxPortSeries;
    private readonly Func<PortRange?>? _portRange;
    private readonly int _topDestinations;

    /// <param name="owners">Process attribution, or null for none.</param>
    /// <param name="tracker">Stuck-socket ages, or null for none.</param>
    /// <param name="pidLabel">Whether series are split by pid as well as by process name.</param>
    /// <param name="portRange">Reads the ephemeral port range each sample; null counts no destinations.</param>
    /// <param name="topDestinations">How many of the busiest client destinations each snapshot reports.</param>
    public SocketSampler(ISocketTableSource source, IEnumerable<ushort> serverPorts, int maxPortSeries, TimeProvider time,
        ISocketOwnerLookup? owners = null, StuckSocketTracker? tracker = null, bool pidLabel = false,
        Func<PortRange?>? portRange = null, int topDestinations = 10)
    {
        _portRange = portRange;
        _topDestinations = topDestinations;
        Source = source;
        _owners = owners;
        _aggregator = new SocketTableAggregator(serverPorts, owners, tracker, pidLabel);
        _maxPortSeries = maxPortSeries;
        _time = time;
    }

    /// <summary>Called with the reason each time a dump is tried again within a sample.</summary>
    public Action<string>? Retried { get; set; }

    /// <summary>The other network namespaces, sampled after this one in every sample; null for none.</summary>
    public INamespaceSampler? Namespaces { get; set; }

    /// <summary>The source in use; a fallback may replace it.</summary>
    public ISocketTableSource Source { get; set; }

    /// <param name="withNamespaces">Whether <see cref="Namespaces"/> are sampled too (the start-up sample leaves them to the next one).</param>
    /// <exception cref="SocketTableException">The table could not be read consistently.</exception>
    public SocketSnapshot Sample(bool withNamespaces = true)
    {
        var started = _time.GetTimestamp();
        long malformed = 0;
        var range = _portRange?.Invoke();
        // Attribution's share of the sample: the walk a cold lookup makes before the dump, and ToSnapshot's.
        var preparing = _time.GetTimestamp();
        _owners?.Prepare();
        var preparation = _time.GetElapsedTime(preparing);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            _aggregator.Reset(range);
            DumpResult result;
            try
            {
                Source.DumpListeners(_aggregator.ListenerSink);
                result = Source.Dump(_aggregator);
            }
            catch (SocketTableException e) when (e.Transient && attempt + 1 < MaxAttempts)
            {
                Retried?.Invoke(e.Reason);
                continue;
            }

            malformed += result.MalformedRecords;
            if (result.Interrupted)
            {
                Retried?.Invoke("dump_interrupted");
            }
            else
            {
                var attributionStarted = _time.GetTimestamp();
                var snapshot = _aggregator.ToSnapshot(Source.Name, _time.GetUtcNow(), TimeSpan.Zero, _maxPortSeries, malformed, attempt, Source.ReportsListenQueueLimit, _topDestinations);
                var attribution = preparation + _time.GetElapsedTime(attributionStarted);
                // The sample's duration includes the other namespaces: it is what the interval must allow for.
                var namespaces = withNamespaces ? Namespaces?.Sample() : null;
                return snapshot.WithTiming(_time.GetUtcNow(), _time.GetElapsedTime(started), attribution, namespaces);
            }
        }

        throw new SocketTableException("dump_interrupted", $"the kernel flagged {MaxAttempts} dumps in a row as inconsistent (NLM_F_DUMP_INTR)");
    }
}
