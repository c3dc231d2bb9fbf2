namespace TcpState.Tests.Fuzz;

/// <summary>A case whose exposition <c>promtool check metrics</c> refused, with what promtool said.</summary>
/// <param name="CaseIndex">The refused case (found by bisecting the batch), or the batch's first case when only the whole batch fails.</param>
/// <param name="Output">promtool's exit code and output.</param>
public sealed record PromtoolVerdict(long CaseIndex, string Output);
