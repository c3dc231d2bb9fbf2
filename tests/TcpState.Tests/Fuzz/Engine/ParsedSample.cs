namespace TcpState.Tests.Fuzz;

/// <summary>One sample line read back by <see cref="StrictExpositionParser"/>, label values unescaped.</summary>
public sealed record ParsedSample(string Name, IReadOnlyList<(string Name, string Value)> Labels, string ValueText);
