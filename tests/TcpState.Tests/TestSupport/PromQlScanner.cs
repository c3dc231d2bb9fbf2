using System.Text;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Finds the vector selectors (metric name and matchers) of a PromQL expression, enough to check which metrics
/// dashboards and rules use and how they select them. It is a scanner, not a parser: it skips strings, range and
/// subquery brackets, function and aggregation names and the label lists of by/without/on/ignoring/group_*;
/// every other identifier is a metric name. Prometheus itself checks the syntax (promtool, the end-to-end test).
/// </summary>
public static class PromQlScanner
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
    };

    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    public static IReadOnlyList<PromQlSelector> Selectors(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var selectors = new List<PromQlSelector>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(expression, i);
            }
            else if (c == '[')
            {
                i = SkipBracket(expression, i, '[', ']');
            }
            else if (c == '{')
            {
                // A selector without a name, e.g. {__name__=~"..."}: reported with an empty metric.
                var (matchers, end) = ReadMatchers(expression, i);
                selectors.Add(new PromQlSelector(string.Empty, matchers));
                i = end;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expression.Length && char.IsAsciiDigit(expression[i + 1])))
            {
                // Numbers and durations (5m, 1e3, 0x1f) are one run of letters and digits.
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '.' or '_'))
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var start = i;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '_' or ':'))
                {
                    i++;
                }

                var name = expression[start..i];
                var next = SkipSpace(expression, i);
                var following = next < expression.Length ? expression[next] : '\0';
                if (LabelListKeywords.Contains(name))
                {
                    i = following == '(' ? SkipBracket(expression, next, '(', ')') : i;
                }
                else if (following == '(' || Keywords.Contains(name) || LabelListKeywords.Contains(WordAt(expression, next)))
                {
                    // A function or aggregation name (also 'sum by (...) (...)'), or an operator keyword.
                }
                else if (following == '{')
                {
                    var (matchers, end) = ReadMatchers(expression, next);
                    selectors.Add(new PromQlSelector(name, matchers));
                    i = end;
                }
                else
                {
                    selectors.Add(new PromQlSelector(name, []));
                }
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    private static (List<(string, string, string)> Matchers, int End) ReadMatchers(string expression, int open)
    {
        var end = SkipBracket(expression, open, '{', '}');
        var body = expression[(open + 1)..(end - 1)];
        var matchers = new List<(string, string, string)>();
        var i = 0;
        while (true)
        {
            i = SkipSpace(body, i);
            if (i >= body.Length)
            {
                break;
            }

            var start = i;
            while (i < body.Length && (char.IsAsciiLetterOrDigit(body[i]) || body[i] == '_'))
            {
                i++;
            }

            var label = body[start..i];
            i = SkipSpace(body, i);
            var opStart = i;
            while (i < body.Length && body[i] is '=' or '!' or '~')
            {
                i++;
            }

            var op = body[opStart..i];
            i = SkipSpace(body, i);
            if (label.Length == 0 || op is not ("=" or "!=" or "=~" or "!~") || i >= body.Length || body[i] is not ('"' or '\'' or '`'))
            {
                throw new FormatException($"cannot read the matchers {{{body}}} of '{expression}'");
            }

            var valueEnd = SkipString(body, i);
            matchers.Add((label, op, body[(i + 1)..(valueEnd - 1)]));
            i = SkipSpace(body, valueEnd);
            if (i < body.Length && body[i] == ',')
            {
                i++;
            }
        }

        return (matchers, end);
    }

    private static string WordAt(string text, int i)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        return text[start..i];
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    // Returns the index after the closing quote; backslash escapes are honoured except in raw `strings`.
    private static int SkipString(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\' && quote != '`')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                return i + 1;
            }
        }

        throw new FormatException($"unterminated string in '{text}'");
    }

    // Returns the index after the bracket matching the one at 'open', skipping strings and nested brackets.
    private static int SkipBracket(string text, int open, char opening, char closing)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i) - 1;
            }
            else if (c == opening)
            {
                depth++;
            }
            else if (c == closing && --depth == 0)
            {
                return i + 1;
            }
        }

        throw new FormatException($"unbalanced '{opening}' in '{text}'");
    }

    /// <summary>The distinct metric names an expression selects, for "does the exporter produce it" checks.</summary>
    public static IReadOnlySet<string> MetricNames(string expression) =>
        Selectors(expression).Select(s => s.Metric).ToHashSet(StringComparer.Ordinal);

    /// <summary>The selectors as written back, for assertion messages.</summary>
    public static string Describe(IEnumerable<PromQlSelector> selectors)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        var text = new StringBuilder();
        foreach (var selector in selectors)
        {
            text.Append(selector.Metric).Append('{')
                .AppendJoin(", ", selector.Matchers.Select(m => $"{m.Label}{m.Operator}\"{m.Value}\""))
                .Append("} ");
        }

        return text.ToString().TrimEnd();
    }
}
