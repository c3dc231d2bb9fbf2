namespace TcpState.Exposition;

/// <summary>Helpers for .NET strings that may not be valid UTF-16.</summary>
internal static class Utf16Text
{
    /// <summary>
    /// Replaces unpaired surrogates with U+FFFD, as UTF-8 encoding would. Done up front for label
    /// values so that two values which encode to the same bytes are recognised as the same series.
    /// </summary>
    /// <param name="value">The string to check.</param>
    /// <returns><paramref name="value"/> itself when it is valid, otherwise a repaired copy.</returns>
    public static string ReplaceLoneSurrogates(string value)
    {
        var first = value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return value;
        }

        char[]? repaired = null;
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                repaired ??= value.ToCharArray();
                repaired[i] = '\uFFFD';
            }
        }

        return repaired is null ? value : new string(repaired);
    }
}
