namespace TcpState.Tests.Fuzz;

/// <summary>One family read back by <see cref="StrictExpositionParser"/>: its metadata lines and its samples.</summary>
public sealed class ParsedFamily
{
    public ParsedFamily(string name, string type, string? help)
    {
        Name = name;
        Type = type;
        Help = help;
    }

    /// <summary>The name on the TYPE line.</summary>
    public string Name { get; }

    public string Type { get; }

    /// <summary>The unescaped HELP text, or null without a HELP line.</summary>
    public string? Help { get; }

    /// <summary>The OpenMetrics UNIT, or null.</summary>
    public string? Unit { get; set; }

    public List<ParsedSample> Samples { get; } = [];
}
