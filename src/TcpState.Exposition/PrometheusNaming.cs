using System.Text;

namespace TcpState.Exposition;

/// <summary>
/// Converts OpenTelemetry instrument names, units and attribute keys to Prometheus names,
/// following the OpenTelemetry Prometheus compatibility specification as implemented by the
/// official OpenTelemetry .NET Prometheus exporter.
/// </summary>
public static class PrometheusNaming
{
    private const string TotalSuffix = "_total";

    /// <summary>
    /// Gets the Prometheus metric family name for an instrument: invalid characters become
    /// <c>_</c>, the unit suffix is appended unless the name already ends with it, and for
    /// counters a trailing <c>_total</c> is removed (the serializer adds it to the samples).
    /// </summary>
    /// <param name="instrumentName">The OpenTelemetry instrument name, e.g. <c>tcpstate.sample.duration</c>.</param>
    /// <param name="instrumentUnit">The UCUM unit of the instrument, e.g. <c>s</c>, <c>By</c>, <c>{socket}</c>.</param>
    /// <param name="type">The Prometheus type the instrument maps to.</param>
    /// <returns>The family name, e.g. <c>tcpstate_sample_duration_seconds</c>.</returns>
    public static string GetMetricFamilyName(string instrumentName, string? instrumentUnit, MetricFamilyType type)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);

        var name = SanitizeMetricName(instrumentName);
        if (type == MetricFamilyType.Counter)
        {
            name = TrimTotalSuffix(name);
        }

        var unit = GetUnit(instrumentUnit, type);
        if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
        {
            name = name + "_" + unit;
        }

        return name;
    }

    /// <summary>
    /// Gets the Prometheus unit for a UCUM unit: annotations in braces are dropped
    /// (<c>{socket}</c> is unitless), abbreviations become words (<c>s</c> → <c>seconds</c>,
    /// <c>By</c> → <c>bytes</c>, <c>ms</c> → <c>milliseconds</c>), rates become <c>x_per_y</c>,
    /// and <c>1</c> becomes <c>ratio</c> for gauges and nothing otherwise.
    /// </summary>
    /// <param name="instrumentUnit">The UCUM unit.</param>
    /// <param name="type">The Prometheus type the instrument maps to.</param>
    /// <returns>The Prometheus unit, or an empty string when the metric is unitless.</returns>
    public static string GetUnit(string? instrumentUnit, MetricFamilyType type)
    {
        if (string.IsNullOrEmpty(instrumentUnit))
        {
            return string.Empty;
        }

        var unit = RemoveAnnotations(instrumentUnit);
        if (unit == "1")
        {
            return type == MetricFamilyType.Gauge ? "ratio" : string.Empty;
        }

        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        var words = slash >= 0 && slash < unit.Length - 1
            ? MapUnit(unit[..slash]) + "_per_" + MapPerUnit(unit[(slash + 1)..])
            : MapUnit(unit);

        return SanitizeUnit(words);
    }

    /// <summary>Sanitizes a metric name to <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, collapsing runs of <c>_</c>.</summary>
    /// <param name="name">The name to sanitize.</param>
    /// <returns>The sanitized name; <c>_</c> for an empty name.</returns>
    public static string SanitizeMetricName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsValidMetricName(name) && !name.Contains("__", StringComparison.Ordinal))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == ':';
            if (valid)
            {
                builder.Append(c);
            }
            else if (builder.Length == 0 || builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        return builder.ToString();
    }

    /// <summary>Sanitizes a label name to <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, replacing each invalid character with <c>_</c>.</summary>
    /// <param name="name">The name to sanitize, e.g. an OpenTelemetry attribute key such as <c>otel.metric.overflow</c>.</param>
    /// <returns>The sanitized name; <c>_</c> for an empty name; prefixed with <c>key</c> when it would start with <c>__</c>.</returns>
    public static string SanitizeLabelName(string name)
    {
        // Names starting with "__" are reserved by Prometheus (__name__ above all): a scrape with
        // one fails whole. The OpenTelemetry compatibility rules prefix them with "key".
        var sanitized = SanitizeLabelCharacters(name);
        return sanitized.StartsWith("__", StringComparison.Ordinal) ? "key" + sanitized : sanitized;
    }

    private static string SanitizeLabelCharacters(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsValidLabelName(name))
        {
            return name;
        }

        var prefix = name.Length == 0 || char.IsAsciiDigit(name[0]) ? 1 : 0;
        return string.Create(name.Length + prefix, (name, prefix), static (span, state) =>
        {
            if (state.prefix == 1)
            {
                span[0] = '_';
            }

            for (var i = 0; i < state.name.Length; i++)
            {
                var c = state.name[i];
                span[i + state.prefix] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });
    }

    /// <summary>Gets whether <paramref name="name"/> matches <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> when the name is a valid metric name.</returns>
    public static bool IsValidMetricName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != ':')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets whether <paramref name="name"/> matches <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> when the name is a valid label name.</returns>
    public static bool IsValidLabelName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    internal static string TrimTotalSuffix(string name) =>
        name.Length > TotalSuffix.Length && name.EndsWith(TotalSuffix, StringComparison.Ordinal)
            ? name[..^TotalSuffix.Length]
            : name;

    internal static string SanitizeUnit(string unit)
    {
        var builder = new StringBuilder(unit.Length);
        foreach (var c in unit)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == ':')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        return builder.ToString().TrimEnd('_');
    }

    /// <summary>Sanitizes, sorts and de-duplicates label names; see <see cref="MetricSample"/>.</summary>
    internal static MetricLabel[] NormalizeLabels(IReadOnlyList<MetricLabel> labels, string? reservedName)
    {
        var count = labels.Count;
        if (count == 0)
        {
            return [];
        }

        // Fast path: OpenTelemetry already hands tags over sorted by key with valid keys.
        var result = new MetricLabel[count];
        var alreadyNormal = true;
        for (var i = 0; i < count; i++)
        {
            var label = labels[i];
            var name = SanitizeLabelName(label.Name);
            alreadyNormal &= ReferenceEquals(name, label.Name)
                && name != reservedName
                && (i == 0 || string.CompareOrdinal(result[i - 1].Name, name) < 0);
            result[i] = new MetricLabel(name, label.Value);
        }

        return alreadyNormal ? result : NormalizeSlow(labels, reservedName);
    }

    private static MetricLabel[] NormalizeSlow(IReadOnlyList<MetricLabel> labels, string? reservedName)
    {
        var entries = new (string Sanitized, string Original, string Value)[labels.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = (SanitizeLabelName(labels[i].Name), labels[i].Name, labels[i].Value);
        }

        Array.Sort(entries, static (x, y) =>
        {
            var result = string.CompareOrdinal(x.Sanitized, y.Sanitized);
            return result != 0 ? result : string.CompareOrdinal(x.Original, y.Original);
        });

        var merged = new List<MetricLabel>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var name = entries[i].Sanitized;
            if (name == reservedName)
            {
                continue;
            }

            if (merged.Count > 0 && merged[^1].Name == name)
            {
                merged[^1] = new MetricLabel(name, merged[^1].Value + ";" + entries[i].Value);
            }
            else
            {
                merged.Add(new MetricLabel(name, entries[i].Value));
            }
        }

        return merged.ToArray();
    }

    private static string RemoveAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // The UCUM → Prometheus word map of the official exporter (Prometheus prefers base units in words).
    private static string MapUnit(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "TBy" => "terabytes",
        "B" => "bytes",
        "KB" => "kilobytes",
        "MB" => "megabytes",
        "GB" => "gigabytes",
        "TB" => "terabytes",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "1" => string.Empty,
        "%" => "percent",
        "$" => "dollars",
        _ => unit,
    };

    private static string MapPerUnit(string unit) => unit switch
    {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => unit,
    };
}
