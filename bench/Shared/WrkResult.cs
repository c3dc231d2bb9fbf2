using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpState.Bench;

/// <summary>
/// The numbers of one <c>wrk --latency</c> run, parsed from its report. Shared by the benchmark
/// (<c>bench/run.sh</c>) and the load test (<c>bench/load.sh</c>): linked into both projects.
/// </summary>
internal sealed partial record WrkResult(
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    double TransferPerSecondBytes,
    IReadOnlyDictionary<int, double> LatencyPercentilesMs,
    long Non2xx,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long Timeouts)
{
    public long SocketErrors => ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    public double P50Ms => LatencyPercentilesMs[50];

    public double P99Ms => LatencyPercentilesMs[99];

    /// <summary>What went wrong, for a report line; "" when nothing did.</summary>
    public string Problems => SocketErrors == 0 && Non2xx == 0 ? ""
        : $"socket errors: connect {ConnectErrors}, read {ReadErrors}, write {WriteErrors}, timeout {Timeouts}; non-2xx or 3xx responses: {Non2xx}";

    /// <exception cref="FormatException">The text is not a wrk report with a latency distribution.</exception>
    public static WrkResult Parse(string report)
    {
        var total = Total().Match(report);
        var rate = Rate().Match(report);
        var transfer = Transfer().Match(report);
        if (!total.Success || !rate.Success)
        {
            throw new FormatException("not a wrk report:\n" + report);
        }

        var percentiles = new Dictionary<int, double>();
        foreach (Match m in Percentile().Matches(report))
        {
            percentiles[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = Milliseconds(m.Groups[2].Value, m.Groups[3].Value);
        }

        if (!percentiles.ContainsKey(50) || !percentiles.ContainsKey(99))
        {
            throw new FormatException("wrk printed no 50% or 99% latency (was --latency given?):\n" + report);
        }

        var errors = Errors().Match(report);
        long Error(int group) => errors.Success ? long.Parse(errors.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        var non2xx = Non2xxLine().Match(report);
        return new WrkResult(
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            ToSeconds(total.Groups[2].Value, total.Groups[3].Value),
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            transfer.Success ? Bytes(transfer.Groups[1].Value, transfer.Groups[2].Value) : 0,
            percentiles,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            Error(1), Error(2), Error(3), Error(4));
    }

    private static double Milliseconds(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        _ => throw new FormatException($"latency unit '{unit}'"),
    };

    private static double ToSeconds(string value, string unit) => Milliseconds(value, unit) / 1000;

    private static double Bytes(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch
    {
        "B" => 1,
        "KB" => 1024,
        "MB" => 1024 * 1024,
        "GB" => 1024 * 1024 * 1024,
        _ => throw new FormatException($"size unit '{unit}'"),
    };

    [GeneratedRegex(@"(\d+) requests in ([\d.]+)(us|ms|s|m),")]
    private static partial Regex Total();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rate();

    [GeneratedRegex(@"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)")]
    private static partial Regex Transfer();

    [GeneratedRegex(@"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex Errors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();
}
