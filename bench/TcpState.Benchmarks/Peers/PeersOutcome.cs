namespace TcpState.Benchmarks.Peers;

/// <summary>One size of one mix: its measurements, or why there are none.</summary>
internal sealed record PeersOutcome(LoadMix Mix, int Size, SizeMeasurement? Result, string? Error);
