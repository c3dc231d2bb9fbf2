namespace TcpState.Benchmarks.Attribution;

/// <summary>One size of the run: its measurements, or why it could not be measured.</summary>
internal sealed record SizeOutcome(int Size, SizeResult? Result, string? Error);
