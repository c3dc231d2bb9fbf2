using TcpState.Exposition;

namespace TcpState.Tests.Fuzz;

/// <summary>One series as it must come out of the writer: normalized labels, and a value or a histogram.</summary>
public sealed record ExpectedSample(IReadOnlyList<(string Name, string Value)> Labels, double Value, MetricHistogram? Histogram);
