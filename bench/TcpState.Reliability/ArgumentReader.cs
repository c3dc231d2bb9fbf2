using System.Globalization;

namespace TcpState.Reliability;

/// <summary>
/// Strict parsing of <c>--name value</c>, <c>--name=value</c>, bare <c>--flag</c>s and positional
/// arguments: an unknown option is a usage error, never ignored.
/// </summary>
internal sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ArgumentReader(IReadOnlyList<string> arguments, IReadOnlySet<string> flags)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                _positional.Add(argument);
                continue;
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? argument : argument[..equals];
            if (equals >= 0)
            {
                _options[name] = argument[(equals + 1)..];
            }
            else if (flags.Contains(name))
            {
                _options[name] = null;
            }
            else if (i + 1 < arguments.Count)
            {
                _options[name] = arguments[++i];
            }
            else
            {
                throw new UsageException($"{name} needs a value");
            }
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public bool Flag(string name) => _used.Add(name) && _options.ContainsKey(name);

    public string? Text(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public long Number(string name, long fallback, long minimum, long maximum)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw new UsageException($"{name}: '{text}' is not a whole number from {minimum} to {maximum}");
        }

        return value;
    }

    /// <summary>Throws when an option was given that no one asked for (a typo must not be silently ignored).</summary>
    public void RejectUnknown()
    {
        foreach (var name in _options.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option {name}");
            }
        }
    }
}
