using System.Text;
using System.Text.Json.Nodes;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Reads the block-style YAML of this repository's Prometheus and Grafana files into JSON nodes (every scalar a
/// string), so tests can inspect them without a YAML package. It understands mappings, sequences, plain, quoted
/// and block (| and &gt;) scalars, comments, and empty [] / {}; anything else (anchors, tags, flow collections,
/// multi-line plain scalars) throws a FormatException naming the line, so a file it cannot read fails loudly
/// instead of being misread. promtool, and Prometheus in the end-to-end test, read the same files with a real
/// YAML parser, which keeps this reader honest.
/// </summary>
public sealed class YamlSubsetReader
{
    private readonly List<Line> _lines;
    private int _next;

    private YamlSubsetReader(string text)
    {
        _lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select((raw, i) => new Line(i + 1, raw))
            .ToList();
    }

    public static JsonNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new YamlSubsetReader(text);
        var first = reader.PeekSignificant() ?? throw new FormatException("empty YAML document");
        if (first.Indent != 0)
        {
            throw Error(first, "the document must start at column 0");
        }

        var root = reader.ParseBlock(0);
        if (reader.PeekSignificant() is { } extra)
        {
            throw Error(extra, "unexpected content after the document");
        }

        return root;
    }

    private JsonNode ParseBlock(int indent)
    {
        var line = PeekSignificant() ?? throw new FormatException("unexpected end of document");
        return IsSequenceItem(line.Content) ? ParseSequence(indent) : ParseMapping(indent);
    }

    private JsonObject ParseMapping(int indent)
    {
        var mapping = new JsonObject();
        while (PeekSignificant() is { } line && line.Indent >= indent)
        {
            if (line.Indent > indent)
            {
                throw Error(line, "unexpected indentation (multi-line plain scalars are not supported)");
            }

            if (IsSequenceItem(line.Content))
            {
                break;
            }

            _next++;
            var (key, rest) = SplitKey(line);
            if (mapping.ContainsKey(key))
            {
                throw Error(line, $"duplicate key '{key}'");
            }

            mapping[key] = rest.Length > 0 ? ParseValue(rest, line, indent) : ParseNested(indent);
        }

        return mapping;
    }

    private JsonArray ParseSequence(int indent)
    {
        var sequence = new JsonArray();
        while (PeekSignificant() is { } line && line.Indent == indent && IsSequenceItem(line.Content))
        {
            var rest = line.Content.Length == 1 ? string.Empty : line.Content[1..];
            var itemIndent = indent + 1 + (rest.Length - rest.TrimStart(' ').Length);
            rest = rest.TrimStart(' ');
            if (rest.Length == 0)
            {
                _next++;
                sequence.Add(ParseNested(indent));
            }
            else if (KeyPattern(rest) > 0)
            {
                // "- key: value": the item is a mapping whose first key sits where 'key' starts; the line is
                // re-read as that mapping's first line.
                _lines[_next] = line with { Indent = itemIndent, Content = rest };
                sequence.Add(ParseMapping(itemIndent));
            }
            else
            {
                _next++;
                sequence.Add(ParseValue(rest, line, indent));
            }
        }

        if (PeekSignificant() is { } after && after.Indent > indent)
        {
            throw Error(after, "unexpected indentation after a sequence item");
        }

        return sequence;
    }

    // The value of "key:" with nothing after it: a more indented block, a sequence at the key's own indent
    // (YAML allows "key:\n- item"), or an empty value.
    private JsonNode? ParseNested(int indent)
    {
        var line = PeekSignificant();
        if (line is null)
        {
            return null;
        }

        if (line.Indent > indent)
        {
            return ParseBlock(line.Indent);
        }

        return line.Indent == indent && IsSequenceItem(line.Content) ? ParseSequence(indent) : null;
    }

    private JsonNode ParseValue(string text, Line line, int indent)
    {
        switch (text[0])
        {
            case '"':
                return JsonValue.Create(DoubleQuoted(text, line));
            case '\'':
                return JsonValue.Create(SingleQuoted(text, line));
            case '|' or '>':
                return JsonValue.Create(BlockScalar(StripComment(text), line, indent));
            case '[' or '{':
                var flow = StripComment(text);
                return flow switch
                {
                    "[]" => new JsonArray(),
                    "{}" => new JsonObject(),
                    _ => throw Error(line, "flow collections other than [] and {} are not supported"),
                };
            case '&' or '*' or '!' or '@' or '`' or '%':
                throw Error(line, $"'{text[0]}' (anchors, aliases, tags, reserved) is not supported");
            default:
                return JsonValue.Create(StripComment(text));
        }
    }

    private string BlockScalar(string header, Line line, int parentIndent)
    {
        var folded = header[0] == '>';
        var chomping = header.Length > 1 ? header[1..] : string.Empty;
        if (chomping is not ("" or "-"))
        {
            throw Error(line, $"block scalar header '{header}' is not supported (only |, |-, > and >-)");
        }

        var content = new List<string>();
        var blockIndent = -1;
        while (_next < _lines.Count)
        {
            var candidate = _lines[_next];
            if (candidate.Raw.Trim().Length == 0)
            {
                content.Add(string.Empty);
                _next++;
                continue;
            }

            if (candidate.Indent <= parentIndent)
            {
                break;
            }

            if (blockIndent < 0)
            {
                blockIndent = candidate.Indent;
            }
            else if (candidate.Indent < blockIndent)
            {
                throw Error(candidate, "block scalar line is less indented than its first line");
            }
            else if (folded && candidate.Indent > blockIndent)
            {
                throw Error(candidate, "more-indented lines in a folded scalar are not supported");
            }

            content.Add(candidate.Raw[blockIndent..]);
            _next++;
        }

        // Trailing blank lines belong to the chomping, not to the text.
        while (content.Count > 0 && content[^1].Length == 0)
        {
            content.RemoveAt(content.Count - 1);
        }

        var text = folded ? Fold(content) : string.Join('\n', content);
        return chomping == "-" || text.Length == 0 ? text : text + "\n";
    }

    // Folding joins adjacent lines with a space; each empty line between them stands for one line break.
    private static string Fold(List<string> lines)
    {
        var result = new StringBuilder();
        var pendingBreaks = 0;
        var first = true;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                pendingBreaks++;
                continue;
            }

            if (!first)
            {
                result.Append(pendingBreaks > 0 ? new string('\n', pendingBreaks) : " ");
            }

            result.Append(line);
            pendingBreaks = 0;
            first = false;
        }

        return result.ToString();
    }

    private static string DoubleQuoted(string text, Line line)
    {
        var result = new StringBuilder();
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                EnsureOnlyComment(text[(i + 1)..], line);
                return result.ToString();
            }

            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                break;
            }

            result.Append(text[i] switch
            {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'n' => '\n',
                't' => '\t',
                _ => throw Error(line, $"escape '\\{text[i]}' is not supported"),
            });
        }

        throw Error(line, "unterminated double-quoted string (multi-line strings are not supported)");
    }

    private static string SingleQuoted(string text, Line line)
    {
        var result = new StringBuilder();
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] != '\'')
            {
                result.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == '\'')
            {
                result.Append('\'');
                i++;
            }
            else
            {
                EnsureOnlyComment(text[(i + 1)..], line);
                return result.ToString();
            }
        }

        throw Error(line, "unterminated single-quoted string (multi-line strings are not supported)");
    }

    private static void EnsureOnlyComment(string rest, Line line)
    {
        var trimmed = rest.TrimStart();
        if (trimmed.Length > 0 && trimmed[0] != '#')
        {
            throw Error(line, $"unexpected '{trimmed}' after a quoted string");
        }
    }

    // A comment starts at '#' preceded by whitespace; a '#' inside a word (a URL's fragment) is text.
    private static string StripComment(string text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '#' && char.IsWhiteSpace(text[i - 1]))
            {
                return text[..i].TrimEnd();
            }
        }

        return text.TrimEnd();
    }

    private static (string Key, string Value) SplitKey(Line line)
    {
        var length = KeyPattern(line.Content);
        if (length <= 0)
        {
            throw Error(line, "expected 'key: value' or '- item'");
        }

        var key = line.Content[..length];
        var rest = line.Content[(length + 1)..].Trim();
        return (key, rest.StartsWith('#') ? string.Empty : rest);
    }

    // Length of a plain key followed by ':' and a space or the end of the line; 0 if the text is not a key.
    private static int KeyPattern(string text)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.' or '/'))
        {
            i++;
        }

        if (i == 0 || i >= text.Length || text[i] != ':')
        {
            return 0;
        }

        return i + 1 == text.Length || text[i + 1] == ' ' ? i : 0;
    }

    private static bool IsSequenceItem(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

    private Line? PeekSignificant()
    {
        while (_next < _lines.Count)
        {
            var line = _lines[_next];
            if (line.Content.Length > 0 && line.Content[0] != '#')
            {
                if (line.Raw.Contains('\t', StringComparison.Ordinal) && line.Raw.TrimStart(' ').StartsWith('\t'))
                {
                    throw Error(line, "tabs are not allowed for indentation");
                }

                return line;
            }

            _next++;
        }

        return null;
    }

    private static FormatException Error(Line line, string reason) =>
        new($"YAML line {line.Number}: {reason}: '{line.Raw}'");

    private sealed record Line
    {
        public Line(int number, string raw)
        {
            Number = number;
            Raw = raw;
            Indent = raw.Length - raw.TrimStart(' ').Length;
            Content = raw.Trim();
        }

        public int Number { get; }

        public string Raw { get; }

        public int Indent { get; init; }

        public string Content { get; init; }
    }
}
