using System.Net;
using System.Text.RegularExpressions;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// The DOM a browser rendered (Chromium's --dump-dom), read with just enough pattern matching for
/// the status page's tables. Chromium serializes the DOM regularly (double-quoted attributes, closed
/// elements), which is what makes this reliable without an HTML parser.
/// </summary>
public sealed partial class RenderedPage
{
    public RenderedPage(string html) => Html = html;

    public string Html { get; }

    /// <summary>An attribute of the body element, e.g. data-status, or null.</summary>
    public string? BodyAttribute(string name)
    {
        var body = BodyTag().Match(Html);
        return body.Success ? Attributes(body.Groups[1].Value).GetValueOrDefault(name) : null;
    }

    /// <summary>An attribute of the element with the id, or null.</summary>
    public string? Attribute(string id, string name)
    {
        var element = Regex.Match(Html, $"<[a-z0-9]+\\s[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>");
        return element.Success ? Attributes(element.Value).GetValueOrDefault(name) : null;
    }

    /// <summary>The text of the element with the id (its tags removed, whitespace collapsed), or null.</summary>
    public string? TextOf(string id)
    {
        var element = Regex.Match(Html, $"<([a-z0-9]+)\\s[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>(.*?)</\\1>", RegexOptions.Singleline);
        return element.Success ? Text(element.Groups[2].Value) : null;
    }

    /// <summary>The rows of the table body of the table with the id.</summary>
    public IReadOnlyList<RenderedRow> Rows(string tableId)
    {
        var table = Regex.Match(Html, $"<table\\s[^>]*\\bid=\"{Regex.Escape(tableId)}\"[^>]*>.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline);
        if (!table.Success)
        {
            throw new InvalidOperationException($"no table with id {tableId} and a tbody in the page:\n{Html}");
        }

        return RowTag().Matches(table.Groups[1].Value)
            .Select(row => new RenderedRow(
                Attributes(row.Groups[1].Value),
                CellTag().Matches(row.Groups[2].Value).Select(cell => Text(cell.Groups[3].Value)).ToList()))
            .ToList();
    }

    /// <summary>A count as the page prints it (with the browser's thousands separators) as a number.</summary>
    public static long Count(string text)
    {
        var digits = text.Replace(",", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal)
            .Replace("\u00a0", "", StringComparison.Ordinal).Replace("\u202f", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        return digits.Length > 0 && digits.All(char.IsAsciiDigit)
            ? long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture)
            : throw new FormatException($"'{text}' is not a count");
    }

    private static Dictionary<string, string> Attributes(string tag) =>
        AttributePair().Matches(tag).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

    private static string Text(string html) =>
        Whitespace().Replace(WebUtility.HtmlDecode(AnyTag().Replace(html, " ")), " ").Trim();

    [GeneratedRegex("<body([^>]*)>")]
    private static partial Regex BodyTag();

    [GeneratedRegex("<tr([^>]*)>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowTag();

    [GeneratedRegex("<t([hd])([^>]*)>(.*?)</t\\1>", RegexOptions.Singleline)]
    private static partial Regex CellTag();

    [GeneratedRegex("([a-zA-Z][a-zA-Z0-9-]*)=\"([^\"]*)\"")]
    private static partial Regex AttributePair();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex AnyTag();

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}
