using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Reads back what <c>PrometheusTextSerializer</c> writes, refusing anything the Prometheus text
/// format 0.0.4 or OpenMetrics 1.0.0 grammar does not allow or the writer should never produce:
/// invalid UTF-8, an unterminated line, an unknown escape, a raw line break in a value, a family
/// declared twice, HELP not right before its TYPE, samples outside their family, a malformed
/// number, a missing or misplaced <c># EOF</c>. Label values come back unescaped, for comparison
/// with what went in.
/// </summary>
public static class StrictExpositionParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<ParsedFamily> Parse(ReadOnlySpan<byte> exposition, bool openMetrics)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(exposition);
        }
        catch (DecoderFallbackException e)
        {
            throw new FuzzPropertyException($"the exposition is not valid UTF-8: {e.Message}");
        }

        FuzzPropertyException.Check(text.Length == 0 || text[^1] == '\n', "the exposition does not end with a line feed");
        var lines = text.Split('\n');
        var families = new List<ParsedFamily>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        ParsedFamily? current = null;
        string? pendingHelpName = null;
        string? pendingHelp = null;
        var eof = false;
        for (var number = 0; number < lines.Length - 1; number++)
        {
            var line = lines[number];
            var where = new Where(number, line);
            FuzzPropertyException.Check(!eof, $"{where} follows # EOF");
            FuzzPropertyException.Check(pendingHelpName is null || line.StartsWith("# TYPE ", StringComparison.Ordinal), $"{where}: HELP is not followed by its TYPE");
            if (openMetrics && line == "# EOF")
            {
                eof = true;
            }
            else if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var reader = new LineReader(line, 7, where);
                pendingHelpName = reader.MetricName();
                reader.Expect(' ');
                pendingHelp = reader.Help(openMetrics);
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var reader = new LineReader(line, 7, where);
                var name = reader.MetricName();
                reader.Expect(' ');
                var type = reader.Rest();
                FuzzPropertyException.Check(type is "gauge" or "counter" or "histogram", $"{where}: type '{type}'");
                FuzzPropertyException.Check(pendingHelpName is null || pendingHelpName == name, $"{where}: HELP named {pendingHelpName}");
                FuzzPropertyException.Check(declared.Add(name), $"{where}: family {name} declared twice");
                current = new ParsedFamily(name, type, pendingHelp);
                families.Add(current);
                pendingHelpName = null;
                pendingHelp = null;
            }
            else if (openMetrics && line.StartsWith("# UNIT ", StringComparison.Ordinal))
            {
                var reader = new LineReader(line, 7, where);
                var name = reader.MetricName();
                FuzzPropertyException.Check(current is not null && current.Name == name && current.Samples.Count == 0 && current.Unit is null, $"{where}: UNIT outside its family's metadata");
                reader.Expect(' ');
                current!.Unit = reader.MetricName();
                reader.End();
            }
            else
            {
                FuzzPropertyException.Check(!line.StartsWith('#'), $"{where}: a comment the writer never writes");
                FuzzPropertyException.Check(current is not null, $"{where}: a sample before any TYPE");
                var sample = ReadSample(line, where);
                FuzzPropertyException.Check(BelongsTo(sample.Name, current!, openMetrics), $"{where}: sample {sample.Name} inside family {current!.Name} ({current.Type})");
                current.Samples.Add(sample);
            }
        }

        FuzzPropertyException.Check(pendingHelpName is null, "the exposition ends with a HELP line");
        FuzzPropertyException.Check(eof == openMetrics, openMetrics ? "OpenMetrics output without a final # EOF" : "# EOF in the 0.0.4 text format");
        return families;
    }

    /// <summary>A sample value: NaN, +Inf, -Inf, or a decimal with an optional fraction and exponent.</summary>
    public static bool IsNumber(string text)
    {
        if (text is "NaN" or "+Inf" or "-Inf")
        {
            return true;
        }

        var i = 0;
        if (i < text.Length && text[i] == '-') i++;
        if (!Digits(text, ref i)) return false;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (!Digits(text, ref i)) return false;
        }

        if (i < text.Length && text[i] is 'E' or 'e')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            if (!Digits(text, ref i)) return false;
        }

        return i == text.Length;
    }

    private static bool Digits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        return i > start;
    }

    private static bool BelongsTo(string sample, ParsedFamily family, bool openMetrics) => family.Type switch
    {
        // 0.0.4 declares a counter by its sample name (x_total); OpenMetrics by the family name (x).
        "counter" => openMetrics ? sample == family.Name + "_total" : sample == family.Name && sample.EndsWith("_total", StringComparison.Ordinal),
        "histogram" => sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count",
        _ => sample == family.Name,
    };

    private static ParsedSample ReadSample(string line, Where where)
    {
        var reader = new LineReader(line, 0, where);
        var name = reader.MetricName();
        var labels = new List<(string, string)>();
        if (reader.TryRead('{'))
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                var label = reader.LabelName();
                FuzzPropertyException.Check(names.Add(label), $"{where}: label {label} twice");
                reader.Expect('=');
                reader.Expect('"');
                labels.Add((label, reader.QuotedValue()));
            }
            while (reader.TryRead(','));

            reader.Expect('}');
        }

        reader.Expect(' ');
        var value = reader.Rest();
        FuzzPropertyException.Check(IsNumber(value), $"{where}: value '{value}' is not a number");
        return new ParsedSample(name, labels, value);
    }

    private ref struct LineReader
    {
        private readonly string _line;
        private readonly Where _where;
        private int _position;

        public LineReader(string line, int position, Where where)
        {
            _line = line;
            _position = position;
            _where = where;
        }

        public string MetricName() => Name(allowColon: true);

        public string LabelName() => Name(allowColon: false);

        public bool TryRead(char c)
        {
            if (_position < _line.Length && _line[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        public void Expect(char c) => FuzzPropertyException.Check(TryRead(c), $"{_where}: expected '{c}' at column {_position + 1}");

        public readonly void End() => FuzzPropertyException.Check(_position == _line.Length, $"{_where}: unexpected text at column {_position + 1}");

        public string Rest()
        {
            var rest = _line[_position..];
            _position = _line.Length;
            return rest;
        }

        public string Help(bool openMetrics)
        {
            var text = new StringBuilder();
            while (_position < _line.Length)
            {
                var c = _line[_position++];
                if (c != '\\')
                {
                    FuzzPropertyException.Check(!(openMetrics && c == '"'), $"{_where}: a bare '\"' in OpenMetrics help");
                    text.Append(c);
                    continue;
                }

                FuzzPropertyException.Check(_position < _line.Length, $"{_where}: help ends with a lone backslash");
                var escaped = _line[_position++];
                text.Append(escaped switch
                {
                    '\\' => '\\',
                    'n' => '\n',
                    '"' when openMetrics => '"',
                    _ => throw new FuzzPropertyException($"{_where}: escape '\\{escaped}' in help"),
                });
            }

            return text.ToString();
        }

        public string QuotedValue()
        {
            var text = new StringBuilder();
            while (true)
            {
                FuzzPropertyException.Check(_position < _line.Length, $"{_where}: unterminated label value");
                var c = _line[_position++];
                if (c == '"')
                {
                    return text.ToString();
                }

                if (c != '\\')
                {
                    text.Append(c);
                    continue;
                }

                FuzzPropertyException.Check(_position < _line.Length, $"{_where}: label value ends with a lone backslash");
                var escaped = _line[_position++];
                text.Append(escaped switch
                {
                    '\\' => '\\',
                    'n' => '\n',
                    '"' => '"',
                    _ => throw new FuzzPropertyException($"{_where}: escape '\\{escaped}' in a label value"),
                });
            }
        }

        private string Name(bool allowColon)
        {
            var start = _position;
            while (_position < _line.Length)
            {
                var c = _line[_position];
                var valid = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (_position > start && char.IsAsciiDigit(c));
                if (!valid) break;
                _position++;
            }

            FuzzPropertyException.Check(_position > start, $"{_where}: expected a name at column {start + 1}");
            return _line[start.._position];
        }
    }

    // Where a problem is, printed only when there is one.
    private readonly record struct Where(int Number, string Line)
    {
        public override string ToString() => $"line {Number + 1} ({FuzzFormat.Literal(Line.Length > 200 ? Line[..200] + "..." : Line)})";
    }
}
