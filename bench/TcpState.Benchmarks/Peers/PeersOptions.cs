using System.Globalization;

namespace TcpState.Benchmarks.Peers;

/// <summary>The peers mode's command line.</summary>
internal sealed record PeersOptions(
    IReadOnlyList<int> Sizes,
    IReadOnlyList<LoadMix> Mixes,
    int? Rounds,
    string ToolsDirectory,
    string? ExporterPath)
{
    public static PeersOptions Parse(IReadOnlyList<string> arguments, IReadOnlyList<int> defaultSizes, int minSize, int maxSize)
    {
        var sizes = new List<int>();
        IReadOnlyList<LoadMix> mixes = [LoadMix.Established, LoadMix.TimeWait];
        int? rounds = null;
        var tools = Path.Combine(AppContext.BaseDirectory, "native");
        string? exporter = null;
        var daemon = true;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--mix":
                    mixes = Value(arguments, ref i) switch
                    {
                        "established" => [LoadMix.Established],
                        "time-wait" => [LoadMix.TimeWait],
                        "both" => [LoadMix.Established, LoadMix.TimeWait],
                        var other => throw new UsageException($"peers: --mix '{other}': established, time-wait or both"),
                    };
                    break;
                case "--rounds":
                    var text = Value(arguments, ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1 || parsed > 100)
                    {
                        throw new UsageException($"peers: --rounds '{text}': 1 to 100");
                    }

                    rounds = parsed;
                    break;
                case "--tools":
                    tools = Value(arguments, ref i);
                    break;
                case "--exporter":
                    exporter = Path.GetFullPath(Value(arguments, ref i));
                    if (!File.Exists(exporter))
                    {
                        throw new UsageException($"peers: --exporter {exporter} does not exist");
                    }

                    break;
                case "--no-daemon":
                    daemon = false;
                    break;
                default:
                    if (!int.TryParse(arguments[i], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < minSize || size > maxSize)
                    {
                        throw new UsageException($"peers: '{arguments[i]}' is not a socket count in {minSize}..{maxSize}");
                    }

                    sizes.Add(size);
                    break;
            }
        }

        if (daemon && exporter is null)
        {
            throw new UsageException("peers: --exporter PATH (the built tcpstate-exporter) is needed for the daemon measurements, or --no-daemon");
        }

        return new PeersOptions(sizes.Count > 0 ? sizes : defaultSizes, mixes, rounds, tools, daemon ? exporter : null);
    }

    private static string Value(IReadOnlyList<string> arguments, ref int i) =>
        ++i < arguments.Count ? arguments[i] : throw new UsageException($"peers: {arguments[i - 1]} needs a value");
}
