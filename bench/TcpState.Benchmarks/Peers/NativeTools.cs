using System.Globalization;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The C programs bench/run.sh builds with gcc: the netlink reference, the command timer, the
/// TIME_WAIT churn generator and the pair holder (sources in bench/reference and bench/load).
/// </summary>
internal sealed class NativeTools
{
    public NativeTools(string directory)
    {
        SockDiagCount = Require(directory, "sockdiag-count");
        RunTimed = Require(directory, "run-timed");
        TimeWaitChurn = Require(directory, "timewait-churn");
        PairHolder = Require(directory, "pair-holder");
    }

    public string SockDiagCount { get; }

    public string RunTimed { get; }

    public string TimeWaitChurn { get; }

    public string PairHolder { get; }

    /// <summary>Parses "key value key value ..." after a leading word, e.g. "run 0 sockets 12 wall_ns 3".</summary>
    public static Dictionary<string, string> Fields(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < words.Length; i += 2)
        {
            fields[words[i]] = words[i + 1];
        }

        return fields;
    }

    public static long Long(Dictionary<string, string> fields, string key) =>
        long.Parse(fields[key], NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Require(string directory, string name)
    {
        var path = Path.GetFullPath(Path.Combine(directory, name));
        if (!File.Exists(path))
        {
            throw new UsageException($"{path} is missing: bench/run.sh builds it with gcc (or pass --tools DIR)");
        }

        return path;
    }
}
