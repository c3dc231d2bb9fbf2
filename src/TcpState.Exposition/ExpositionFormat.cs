namespace TcpState.Exposition;

/// <summary>The text exposition formats <see cref="PrometheusTextSerializer"/> can write.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>).</summary>
    PrometheusText,

    /// <summary>OpenMetrics 1.0.0 (<c>application/openmetrics-text; version=1.0.0</c>).</summary>
    OpenMetrics,
}
