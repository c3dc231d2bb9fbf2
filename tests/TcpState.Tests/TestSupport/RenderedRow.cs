namespace TcpState.Tests.TestSupport;

/// <summary>One table row of a rendered page: its attributes and the text of its cells, as a reader sees them.</summary>
public sealed record RenderedRow(IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> Cells);
