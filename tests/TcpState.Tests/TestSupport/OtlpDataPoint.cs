namespace TcpState.Tests.TestSupport;

/// <summary>An OTLP NumberDataPoint: attributes (string, bool, int or double values) and its value.</summary>
public sealed record OtlpDataPoint(IReadOnlyDictionary<string, object?> Attributes, double Value, bool IsInteger, ulong StartTimeUnixNano, ulong TimeUnixNano)
{
    public string? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
