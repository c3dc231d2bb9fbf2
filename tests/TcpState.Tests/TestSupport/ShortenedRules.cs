using System.Text.RegularExpressions;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Makes a copy of the shipped rules file that fires within seconds, for the end-to-end test: every 'for' becomes
/// <see cref="For"/>, and each threshold named by the caller is replaced. The copy is generated from the real file
/// on every run, so it cannot drift from it; a threshold that no longer appears exactly once fails the rewrite.
/// </summary>
public static partial class ShortenedRules
{
    public const string For = "1s";

    public static string Rewrite(string rules, IReadOnlyList<(string Original, string Replacement)> thresholds)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(thresholds);
        var forCount = ForLine().Count(rules);
        if (forCount == 0)
        {
            throw new InvalidOperationException("the rules file has no 'for:' to shorten");
        }

        var result = ForLine().Replace(rules, "${indent}for: " + For);
        foreach (var (original, replacement) in thresholds)
        {
            var count = Regex.Count(result, Regex.Escape(original));
            if (count != 1)
            {
                throw new InvalidOperationException($"'{original}' occurs {count} times in the rules file, expected once; update the end-to-end test's thresholds");
            }

            result = result.Replace(original, replacement, StringComparison.Ordinal);
        }

        return result;
    }

    [GeneratedRegex(@"^(?<indent>[ ]+)for: [0-9a-z]+[ ]*$", RegexOptions.Multiline)]
    private static partial Regex ForLine();
}
