using System.Globalization;

namespace TcpState.Exporter.Configuration;

/// <summary>
/// Durations as Prometheus writes them: one or more number-unit pairs, largest unit first
/// (<c>1h30m</c>, <c>10s</c>, <c>500ms</c>), units ms, s, m, h, d, w, y.
/// </summary>
public static class PrometheusDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var lastUnit = int.MaxValue;
        long totalMs = 0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits])) digits++;
            if (digits == 0 || digits > 12 || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var (unitLength, unitMs, rank) = span switch
            {
                _ when span.StartsWith("ms") => (2, 1L, 0),
                _ when span.StartsWith("s") => (1, 1000L, 1),
                _ when span.StartsWith("m") => (1, 60_000L, 2),
                _ when span.StartsWith("h") => (1, 3_600_000L, 3),
                _ when span.StartsWith("d") => (1, 86_400_000L, 4),
                _ when span.StartsWith("w") => (1, 604_800_000L, 5),
                _ when span.StartsWith("y") => (1, 31_536_000_000L, 6),
                _ => (0, 0L, -1),
            };
            if (unitLength == 0 || rank >= lastUnit)
            {
                return false;
            }

            lastUnit = rank;
            span = span[unitLength..];
            totalMs += number * unitMs;
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Formats as the largest exact units (<c>10s</c>, <c>1m30s</c>, <c>500ms</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms == 0) return "0s";
        var parts = new System.Text.StringBuilder();
        foreach (var (unit, size) in new[] { ("h", 3_600_000L), ("m", 60_000L), ("s", 1000L), ("ms", 1L) })
        {
            if (ms >= size)
            {
                parts.Append(CultureInfo.InvariantCulture, $"{ms / size}{unit}");
                ms %= size;
            }
        }

        return parts.ToString();
    }
}
