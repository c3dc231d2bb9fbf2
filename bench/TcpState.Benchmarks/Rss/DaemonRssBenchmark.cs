using System.Diagnostics;
using System.Globalization;
using TcpState.Benchmarks.Peers;

namespace TcpState.Benchmarks.Rss;

/// <summary>
/// The daemon's memory alone, on one ESTABLISHED-heavy load of the peers mode: each given
/// exporter build (or wrapper script that execs one, e.g. to set an environment variable) is
/// started in the namespace at the default 10 s interval, in rounds (order rotated), and after
/// its Nth sample VmRSS, VmHWM and the anonymous and file-backed parts of /proc/PID/smaps_rollup
/// are read, with the CPU time it used since it started; then it is stopped. Several builds on
/// the same sockets, so they compare like with like.
/// </summary>
internal sealed class DaemonRssBenchmark : IBenchmarkMode
{
    private const int MinSize = 1_000;
    private const int MaxSize = 1_000_000;
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromMinutes(4);

    public string Name => "rss";

    public string Usage => "rss --exporter PATH [--exporter PATH2 ...] [--samples N] [--rounds N] [--tools DIR] SOCKETS   the daemon's RSS after its Nth sample (default 3), per build, on one ESTABLISHED load";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var exporters = new List<string>();
        var samples = 3;
        var rounds = 1;
        var tools = Path.Combine(AppContext.BaseDirectory, "native");
        int? size = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--exporter":
                    var exporter = Path.GetFullPath(Value(arguments, ref i));
                    if (!File.Exists(exporter)) throw new UsageException($"rss: --exporter {exporter} does not exist");
                    exporters.Add(exporter);
                    break;
                case "--samples":
                    samples = Number(Value(arguments, ref i), 2, 30, "--samples");
                    break;
                case "--rounds":
                    rounds = Number(Value(arguments, ref i), 1, 10, "--rounds");
                    break;
                case "--tools":
                    tools = Value(arguments, ref i);
                    break;
                default:
                    size = Number(arguments[i], MinSize, MaxSize, "SOCKETS");
                    break;
            }
        }

        if (exporters.Count == 0 || size is null) throw new UsageException("rss: --exporter PATH and a socket count are needed");
        if (!Environment.IsPrivilegedProcess) throw new UsageException("must run as root: it creates network namespaces (sudo bench/rss.sh)");

        using var load = new SocketLoad(LoadPlan.For(LoadMix.Established, size.Value), new NativeTools(tools), cancellation);
        PeersBenchmark.Progress($"load ready: {load.Counts()}");
        var table = new List<string> { "round  build                                          samples  VmRSS MB  VmHWM MB  anon MB  file MB  last sample s  CPU s" };
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < exporters.Count; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                var exporter = exporters[(k + round) % exporters.Count];
                PeersBenchmark.Progress($"round {round + 1}: {exporter}");
                using var daemon = new ScrapedProcess(load.Namespace, exporter,
                    [$"--web.listen-address=127.0.0.1:{PeersBenchmark.ExporterPort}", $"--metrics.max-port-series={PeersBenchmark.DaemonMaxPortSeries}"],
                    PeersBenchmark.ExporterPort, TimeSpan.FromMinutes(3));
                var clock = Stopwatch.StartNew();
                string body;
                while (ScrapedProcess.Value(body = daemon.Scrape().Body, "tcpstate_samples_total") < samples)
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (clock.Elapsed > SampleTimeout) throw new TimeoutException($"{exporter} did not take {samples} samples within {SampleTimeout}");
                    Thread.Sleep(500);
                }

                var rollup = SmapsRollup(daemon.Pid);
                table.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{round + 1,5}  {Shorten(exporter),-45}  {samples,7}  {ProcessUsage.StatusBytes(daemon.Pid, "VmRSS") / 1048576.0,8:0.0}  {ProcessUsage.StatusBytes(daemon.Pid, "VmHWM") / 1048576.0,8:0.0}  {rollup.GetValueOrDefault("Anonymous") / 1048576.0,7:0.0}  {(rollup.GetValueOrDefault("Rss") - rollup.GetValueOrDefault("Anonymous")) / 1048576.0,7:0.0}  {ScrapedProcess.Value(body, "tcpstate_sample_duration_seconds"),13:0.000}  {ProcessUsage.CpuSeconds(daemon.Pid),5:0.00}"));
                PeersBenchmark.Progress(table[^1]);
                foreach (var line in daemon.Output.TakeLast(3)) PeersBenchmark.Progress("  daemon log: " + line);
            }
        }

        Console.Out.WriteLine($"daemon RSS after its sample {samples}, {size} sockets (ESTABLISHED-heavy), {rounds} rounds, order rotated; MB = MiB");
        foreach (var line in table) Console.Out.WriteLine(line);
        return 0;
    }

    private static Dictionary<string, long> SmapsRollup(int pid)
    {
        var values = new Dictionary<string, long>();
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || !line.EndsWith(" kB", StringComparison.Ordinal)) continue;
            values[line[..colon]] = long.Parse(line[(colon + 1)..^3].Trim(), CultureInfo.InvariantCulture) * 1024;
        }

        return values;
    }

    private static string Shorten(string path) => path.Length <= 45 ? path : "…" + path[^44..];

    private static int Number(string text, int min, int max, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"rss: {name} '{text}': {min} to {max}");

    private static string Value(IReadOnlyList<string> arguments, ref int i) =>
        ++i < arguments.Count ? arguments[i] : throw new UsageException($"rss: {arguments[i - 1]} needs a value");
}
