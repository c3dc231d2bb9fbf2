namespace TcpState.Exposition;

/// <summary>One label (name and value) of a <see cref="MetricSample"/>.</summary>
/// <remarks>
/// Names given here may contain any characters; <see cref="MetricSample"/> sanitizes them to
/// <c>[a-zA-Z_][a-zA-Z0-9_]*</c>. Values are arbitrary strings and are escaped when written;
/// unpaired surrogates become U+FFFD here, since UTF-8 cannot carry them.
/// </remarks>
public readonly record struct MetricLabel
{
    /// <summary>Initializes a new label.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="value">The label value; <see langword="null"/> is treated as empty.</param>
    public MetricLabel(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        this.Name = name;
        this.Value = value is null ? string.Empty : Utf16Text.ReplaceLoneSurrogates(value);
    }

    /// <summary>Gets the label name.</summary>
    public string Name { get; }

    /// <summary>Gets the label value.</summary>
    public string Value { get; }
}
