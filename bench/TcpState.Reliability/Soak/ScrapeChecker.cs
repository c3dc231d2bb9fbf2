using TcpState.Core;
using TcpState.Tests.Fuzz;

namespace TcpState.Reliability.Soak;

/// <summary>
/// Scrapes the in-process daemon between samples, at most once per scrape-cache period so that each
/// scrape is a fresh collection of the latest sample, and checks that its tcpstate_port_sockets and
/// tcpstate_listen_queue series are exactly the latest sample's groups and queues: a series of a
/// group that no longer exists, or a group without its series, is a mismatch. Every tenth checked
/// scrape also goes through promtool.
/// </summary>
internal sealed class ScrapeChecker
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(350);

    private readonly InProcessExporter _exporter;

    public ScrapeChecker(InProcessExporter exporter) => _exporter = exporter;

    public long Checked { get; private set; }

    public long Mismatches { get; private set; }

    public long Promtool { get; private set; }

    public long PromtoolFailures { get; private set; }

    public int MaxPortSeries { get; private set; }

    /// <summary>The first few problems, described.</summary>
    public List<string> Problems { get; } = [];

    public void MaybeCheck()
    {
        // Measured from any scrape (the soak's measurements and drains scrape too). The daemon once
        // served a scrape within 300 ms of another from that one's collection even after a newer
        // sample (a mismatch that was not the daemon's); its cache now ends with each new sample,
        // and the spacing stays as a margin.
        if (_exporter.SinceLastScrape < Every)
        {
            return;
        }

        var snapshot = _exporter.Latest;
        var text = _exporter.Scrape();
        Checked++;
        var families = StrictExpositionParser.Parse(text, openMetrics: false);
        var ports = Keys(families, "tcpstate_port_sockets", ["state", "role", "port", "process"]);
        var queues = Keys(families, "tcpstate_listen_queue", ["port", "process"]);
        MaxPortSeries = Math.Max(MaxPortSeries, ports.Count);
        var expectedPorts = snapshot.PortGroups.Select(g => Key([StateLabel.Name(g.StateIndex), g.Role == SocketRole.Server ? "server" : "client", g.PortLabel, g.Process])).ToHashSet(StringComparer.Ordinal);
        var expectedQueues = snapshot.ListenQueues.Select(q => Key([q.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), q.Process])).ToHashSet(StringComparer.Ordinal);
        if (!ports.SetEquals(expectedPorts) || !queues.SetEquals(expectedQueues))
        {
            Mismatches++;
            if (Problems.Count < 5)
            {
                var extra = ports.Except(expectedPorts).Concat(queues.Except(expectedQueues)).Take(3);
                var missing = expectedPorts.Except(ports).Concat(expectedQueues.Except(queues)).Take(3);
                Problems.Add($"scrape {Checked}: exposed but not in the sample: [{string.Join("; ", extra)}], in the sample but not exposed: [{string.Join("; ", missing)}]");
            }
        }

        if (Checked % 10 == 1)
        {
            Promtool++;
            var check = ProcessRunnerStdin.Run("promtool", ["check", "metrics"], text, TimeSpan.FromSeconds(60));
            if (check.ExitCode != 0)
            {
                PromtoolFailures++;
                if (Problems.Count < 5) Problems.Add($"scrape {Checked}: promtool: {check.StandardOutput}{check.StandardError}");
            }
        }
    }

    private static HashSet<string> Keys(List<ParsedFamily> families, string name, string[] labels)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in families.FirstOrDefault(f => f.Name == name)?.Samples ?? [])
        {
            keys.Add(Key(labels.Select(l => sample.Labels.FirstOrDefault(x => x.Name == l).Value ?? "").ToArray()));
        }

        return keys;
    }

    private static string Key(string[] values) => string.Join("|", values.Select(FuzzFormat.Literal));
}
