namespace TcpState.Exporter.Metrics;

/// <summary>
/// Health of the OTLP push, shared by its pipelines: the export counts behind
/// <c>tcpstate_otlp_exports_total</c> and <c>tcpstate_otlp_export_failures_total</c>, and which
/// problems were already logged during the current outage.
/// </summary>
public sealed class OtlpExportStatistics
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _reportedKinds = new(StringComparer.Ordinal);
    private long _exports;
    private long _failures;
    private int _failingPipelines;

    /// <summary>Export requests attempted, successful or not.</summary>
    public long Exports => Interlocked.Read(ref _exports);

    /// <summary>Export requests that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    internal void RecordExport(bool succeeded)
    {
        Interlocked.Increment(ref _exports);
        if (!succeeded) Interlocked.Increment(ref _failures);
    }

    /// <summary>A pipeline's first failed export after a success (or since start).</summary>
    internal void PipelineFailing()
    {
        lock (_gate) _failingPipelines++;
    }

    /// <summary>A failing pipeline exported again.</summary>
    internal void PipelineRecovered()
    {
        lock (_gate)
        {
            // Forget what was logged only once every pipeline works again: a pipeline that keeps
            // failing while the other succeeds must not have its problem logged on every export.
            if (_failingPipelines > 0 && --_failingPipelines == 0) _reportedKinds.Clear();
        }
    }

    /// <summary>True the first time <paramref name="kind"/> is seen in the current outage.</summary>
    internal bool FirstOfKind(string kind)
    {
        lock (_gate) return _reportedKinds.Add(kind);
    }
}
