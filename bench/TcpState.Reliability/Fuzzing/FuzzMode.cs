using System.Globalization;
using System.Security.Cryptography;
using TcpState.Tests.Fuzz;

namespace TcpState.Reliability.Fuzzing;

/// <summary>
/// <c>fuzz [CASES]</c>: the fuzz campaign of tests/TcpState.Tests/Fuzz (whose fixed-seed share the
/// test suite runs) at full size, from a seed that is printed so that any run can be repeated.
/// </summary>
internal sealed class FuzzMode : IReliabilityMode
{
    private const long DefaultCases = 1_000_000;

    public string Name => "fuzz";

    public string Usage => "fuzz [CASES] [--seed N] [--case N] [--targets netlink,proc,exposition] [--promtool-batch N] [--case-timeout S] [--keep-going]   (default 1000000 cases, a random seed; stops at the first failure unless --keep-going)";

    public int Run(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var reader = new ArgumentReader(arguments, new HashSet<string> { "--keep-going" });
        var seed = reader.Text("--seed") is { } seedText
            ? ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new UsageException($"--seed: '{seedText}' is not a whole number")
            : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 1;
        var replay = reader.Text("--case") is not null ? reader.Number("--case", 0, 0, long.MaxValue) : (long?)null;
        var cases = reader.Positional.Count switch
        {
            0 => DefaultCases,
            1 => long.TryParse(reader.Positional[0].Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new UsageException($"'{reader.Positional[0]}' is not a positive number of cases"),
            _ => throw new UsageException("at most one positional argument (the number of cases)"),
        };
        var targets = Targets(reader.Text("--targets"));
        var batch = (int)reader.Number("--promtool-batch", 2000, 1, 100_000);
        var caseTimeout = TimeSpan.FromSeconds(reader.Number("--case-timeout", 10, 1, 3600));
        var keepGoing = reader.Flag("--keep-going");
        reader.RejectUnknown();
        if (replay is not null && (reader.Positional.Count > 0 || targets != FuzzTarget.All))
        {
            throw new UsageException("--case replays one case: give neither CASES nor --targets");
        }

        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var settings = new FuzzSettings
        {
            Seed = seed,
            Cases = replay is null ? cases : 1,
            FirstCase = replay ?? 0,
            Targets = targets,
            PromtoolCasesPerRun = replay is null ? batch : 1,
            CaseTimeout = caseTimeout,
            KeepGoing = keepGoing,
            Progress = report => Console.Error.WriteLine(
                $"# {report.Cases:N0} of {cases:N0} cases, {report.CasesPerSecond:N0} cases/s, {report.PromtoolRuns} promtool runs ({report.PromtoolCases:N0} exposition cases checked)"),
        };

        Console.WriteLine("tcpstate-exporter fuzz campaign: InetDiagParser, ProcNetTcpParser/ProcNetTcpReader, PrometheusTextSerializer (+ promtool check metrics)");
        Console.WriteLine($"seed {seed}{(replay is null ? $", {settings.Cases:N0} cases" : $", replaying case {replay}")}, targets {targets}, promtool batch {settings.PromtoolCasesPerRun}, case timeout {caseTimeout.TotalSeconds:0} s{(keepGoing ? ", keep going after failures" : "")}");
        var repeat = replay is null
            ? $"bench/fuzz.sh {settings.Cases} --seed {seed}{(targets == FuzzTarget.All ? "" : " --targets " + targets.ToString().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal))}"
            : $"bench/fuzz.sh --seed {seed} --case {replay}";
        Console.WriteLine($"machine: nproc {Environment.ProcessorCount}, .NET {Environment.Version}; repeat with: {repeat}");
        var report = FuzzCampaign.RunBounded(settings with { Cancellation = cancellation }, FuzzInputs.FromDirectory(fixtures));
        cancellation.ThrowIfCancellationRequested();
        Console.WriteLine(report.Summary());
        return report.Failure is null ? 0 : 1;
    }

    private static FuzzTarget Targets(string? text)
    {
        if (text is null)
        {
            return FuzzTarget.All;
        }

        var targets = (FuzzTarget)0;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            targets |= name switch
            {
                "netlink" => FuzzTarget.Netlink,
                "proc" => FuzzTarget.Proc,
                "exposition" => FuzzTarget.Exposition,
                _ => throw new UsageException($"--targets: unknown target '{name}' (netlink, proc, exposition)"),
            };
        }

        return targets == 0 ? throw new UsageException("--targets: none given") : targets;
    }
}
