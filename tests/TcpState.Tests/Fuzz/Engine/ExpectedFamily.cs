using TcpState.Exposition;

namespace TcpState.Tests.Fuzz;

/// <summary>A family as it must come out of the writer, worked out from the input independently of it.</summary>
/// <param name="Name">The family name (a counter's without <c>_total</c>).</param>
/// <param name="Type">The type.</param>
/// <param name="Help">The help text after lone surrogates became U+FFFD.</param>
/// <param name="Unit">The unit, when OpenMetrics must print a <c># UNIT</c> line; otherwise null.</param>
/// <param name="Samples">The series, de-duplicated (first wins) and in label-set order.</param>
public sealed record ExpectedFamily(string Name, MetricFamilyType Type, string Help, string? Unit, IReadOnlyList<ExpectedSample> Samples);
