using System.Text;

namespace TcpState.Benchmarks;

/// <summary>
/// A plain-text table, readable in a terminal and pasteable into Markdown as a code block: the
/// first column (row names) left-aligned, the others (numbers) right-aligned.
/// </summary>
internal sealed class TextTable(IReadOnlyList<string> headers)
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    public void Add(IReadOnlyList<string> row)
    {
        if (row.Count != headers.Count)
        {
            throw new ArgumentException($"a row of {row.Count} cells for {headers.Count} columns", nameof(row));
        }

        _rows.Add(row);
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, IReadOnlyList<string> cells, int[] widths) =>
        text.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
}
