using System.Globalization;
using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>Prints fuzz inputs exactly, so that a failure can be pasted into a unit test.</summary>
public static class FuzzFormat
{
    // Enough for every modelled input; a pathological one is cut, and the replay command prints it whole
    // from the same seed anyway.
    private const int MaxBytes = 64 * 1024;

    /// <summary>A C# byte-array initializer body, 16 bytes a line with the offset in a comment.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"// {bytes.Length} bytes\n");
        var shown = Math.Min(bytes.Length, MaxBytes);
        for (var line = 0; line < shown; line += 16)
        {
            text.Append(CultureInfo.InvariantCulture, $"/* {line,6} */ ");
            for (var i = line; i < Math.Min(line + 16, shown); i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"0x{bytes[i]:X2}, ");
            }

            text.Append('\n');
        }

        if (shown < bytes.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"// ... {bytes.Length - shown} more bytes not shown\n");
        }

        return text.ToString();
    }

    /// <summary>A C# string literal: printable ASCII as is, everything else as \uXXXX (lone surrogates included).</summary>
    public static string Literal(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var text = new StringBuilder(value.Length + 2);
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case >= ' ' and <= '~':
                    text.Append(c);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>A double as a C# expression that gives back the same bits.</summary>
    public static string Double(double value) => double.IsNaN(value)
        ? $"BitConverter.Int64BitsToDouble(0x{BitConverter.DoubleToInt64Bits(value):X16})"
        : double.IsInfinity(value)
            ? (value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity")
            : value.ToString("R", CultureInfo.InvariantCulture) + "d";
}
