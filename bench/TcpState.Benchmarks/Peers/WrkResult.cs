using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpState.Benchmarks.Peers;

/// <summary>What 'wrk --latency' printed: latency percentiles, requests per second, errors.</summary>
internal sealed partial record WrkResult(double P50Ms, double P99Ms, double RequestsPerSecond, long Requests, string Errors)
{
    public static WrkResult Parse(string output)
    {
        return new WrkResult(
            Percentile(output, "50%"),
            Percentile(output, "99%"),
            double.Parse(RequestsPerSecondPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(RequestsPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            ErrorsPattern().Match(output) is { Success: true } errors ? errors.Value.Trim() : "");
    }

    // "     50%  612.00us" / "99%    4.25ms" / "1.02s"
    private static double Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, @"^\s*" + Regex.Escape(percentile) + @"\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new FormatException($"wrk output has no {percentile} latency line:\n{output}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "s" => value * 1000,
            _ => value,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Socket errors:[^\n]*|Non-2xx or 3xx responses:[^\n]*")]
    private static partial Regex ErrorsPattern();
}
