using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TcpState.Exporter.Configuration;

/// <summary>The exporter's settings, parsed and validated. Built only by <see cref="Parse"/>.</summary>
public sealed class ExporterOptions
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromHours(1);
    public const int MaximumPortSeries = 100_000;

    public required ListenEndpoint ListenAddress { get; init; }

    public required string TelemetryPath { get; init; }

    public required int MaxConnections { get; init; }

    /// <summary>The web configuration file, or null for plain HTTP without authentication.</summary>
    public required string? WebConfigFile { get; init; }

    public required TimeSpan SampleInterval { get; init; }

    /// <summary>The CPU budget of sampling in percent of one core (<c>--sample.max-cpu-percent</c>); 0 when off.</summary>
    public double SampleMaxCpuPercent { get; init; } = 2;

    public required SampleSourceKind Source { get; init; }

    public required IReadOnlyList<ushort> ServerPorts { get; init; }

    public required int MaxPortSeries { get; init; }

    public required string ProcRoot { get; init; }

    public required Kernel.Proc.ProcessNameSource ProcessName { get; init; }

    public required bool PidLabel { get; init; }

    /// <summary>State label indexes followed for their age.</summary>
    public required IReadOnlyList<int> StuckStates { get; init; }

    public required TimeSpan StuckThreshold { get; init; }

    public required int TopDestinations { get; init; }

    /// <summary>Whether the other network namespaces are sampled (<c>--netns.enabled</c>).</summary>
    public bool NetnsEnabled { get; init; }

    /// <summary>Most other namespaces sampled per sample.</summary>
    public int NetnsMax { get; init; } = 16;

    /// <summary>The port-series cap of each other namespace.</summary>
    public int NetnsMaxPortSeries { get; init; } = 100;

    /// <summary>The OTLP push, or null when <c>--otlp.enabled</c> is false (the default).</summary>
    public OtlpSettings? Otlp { get; init; }

    /// <summary>
    /// Reads every setting of <see cref="Settings.All"/> from <paramref name="configuration"/>.
    /// Returns null and one message per bad setting (naming its flag, key and the accepted values)
    /// when any is invalid.
    /// </summary>
    public static ExporterOptions? Parse(IConfiguration configuration, out IReadOnlyList<string> errors) =>
        Parse(configuration, Environment.GetEnvironmentVariable, out errors);

    /// <summary>
    /// As <see cref="Parse(IConfiguration, out IReadOnlyList{string})"/>, reading the <c>OTEL_*</c>
    /// variables of the OTLP push through <paramref name="environment"/> (the process environment
    /// there; a dictionary in tests, so they need not change the test host's environment).
    /// </summary>
    public static ExporterOptions? Parse(IConfiguration configuration, Func<string, string?> environment, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        string Value(SettingDefinition setting) => configuration[setting.Key] ?? setting.Default;
        void Fail(SettingDefinition setting, string message) =>
            problems.Add($"invalid {setting.Flag} (config key {setting.Key}, environment {setting.EnvironmentVariable}): \"{Value(setting)}\": {message}");

        if (!ListenEndpoint.TryParse(Value(Settings.ListenAddress), out var endpoint, out var endpointError))
        {
            Fail(Settings.ListenAddress, endpointError!);
        }

        var path = Value(Settings.TelemetryPath);
        // "//host/x" would read as another site in a link on the status page.
        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Length < 2 || path.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' or '\\'))
        {
            Fail(Settings.TelemetryPath, "must start with a single '/', name a path other than '/', and contain no spaces, backslashes, '?' or '#'");
        }

        if (!int.TryParse(Value(Settings.MaxConnections), NumberStyles.None, CultureInfo.InvariantCulture, out var maxConnections)
            || maxConnections < 1 || maxConnections > 10_000)
        {
            Fail(Settings.MaxConnections, "must be a whole number from 1 to 10000");
        }

        if (!PrometheusDuration.TryParse(Value(Settings.SampleInterval), out var interval))
        {
            Fail(Settings.SampleInterval, "not a duration; use e.g. 500ms, 10s, 1m");
        }
        else if (interval < MinimumInterval || interval > MaximumInterval)
        {
            Fail(Settings.SampleInterval, "must be from 100ms to 1h");
        }

        if (!double.TryParse(Value(Settings.MaxCpuPercent), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var maxCpuPercent)
            || maxCpuPercent is not (>= 0 and <= 100)) // also NaN, which TryParse accepts whatever the style
        {
            Fail(Settings.MaxCpuPercent, "must be a number from 0 to 100 (percent of one core; 0 turns the budget off)");
        }

        if (!Enum.TryParse<SampleSourceKind>(Value(Settings.Source), ignoreCase: true, out var source)
            || !Enum.IsDefined(source) || char.IsDigit(Value(Settings.Source).FirstOrDefault()))
        {
            Fail(Settings.Source, "must be auto, netlink or proc");
        }

        var serverPorts = new List<ushort>();
        foreach (var item in Value(Settings.ServerPorts).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ushort.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0)
            {
                serverPorts.Add(port);
            }
            else
            {
                Fail(Settings.ServerPorts, $"\"{item}\" is not a port from 1 to 65535; give a comma-separated list such as 80,443");
                break;
            }
        }

        if (!int.TryParse(Value(Settings.MaxPortSeries), NumberStyles.None, CultureInfo.InvariantCulture, out var maxSeries)
            || maxSeries < Core.CardinalityLimiter.MinimumCap || maxSeries > MaximumPortSeries)
        {
            Fail(Settings.MaxPortSeries, $"must be a whole number from {Core.CardinalityLimiter.MinimumCap} to {MaximumPortSeries}");
        }

        var procRoot = Value(Settings.ProcRoot);
        if (procRoot.Length == 0)
        {
            Fail(Settings.ProcRoot, "must name a directory");
        }

        if (!Enum.TryParse<Kernel.Proc.ProcessNameSource>(Value(Settings.ProcessName), ignoreCase: true, out var processName)
            || !Enum.IsDefined(processName) || char.IsDigit(Value(Settings.ProcessName).FirstOrDefault()))
        {
            Fail(Settings.ProcessName, "must be comm, exe or unit");
        }

        if (!bool.TryParse(Value(Settings.PidLabel), out var pidLabel))
        {
            Fail(Settings.PidLabel, "must be true or false");
        }

        var stuckStates = new List<int>();
        foreach (var item in Value(Settings.StuckStates).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var index = Core.StateLabel.IndexOf(item);
            if (index < 0 || index == Core.StateLabel.Unknown)
            {
                Fail(Settings.StuckStates, $"\"{item}\" is not a state; use established, syn_sent, syn_recv, fin_wait1, fin_wait2, time_wait, close, close_wait, last_ack, listen or closing");
                break;
            }

            if (!stuckStates.Contains(index)) stuckStates.Add(index);
        }

        if (!PrometheusDuration.TryParse(Value(Settings.StuckThreshold), out var threshold))
        {
            Fail(Settings.StuckThreshold, "not a duration; use e.g. 30s, 5m, 1h");
        }
        else if (threshold < TimeSpan.FromSeconds(1) || threshold > TimeSpan.FromDays(7))
        {
            Fail(Settings.StuckThreshold, "must be from 1s to 7d");
        }

        if (!int.TryParse(Value(Settings.TopDestinations), NumberStyles.None, CultureInfo.InvariantCulture, out var topDestinations)
            || topDestinations < 1 || topDestinations > 1000)
        {
            Fail(Settings.TopDestinations, "must be a whole number from 1 to 1000");
        }

        if (!bool.TryParse(Value(Settings.NetnsEnabled), out var netnsEnabled))
        {
            Fail(Settings.NetnsEnabled, "must be true or false");
        }

        if (!int.TryParse(Value(Settings.NetnsMax), NumberStyles.None, CultureInfo.InvariantCulture, out var netnsMax)
            || netnsMax < 1 || netnsMax > 1000)
        {
            Fail(Settings.NetnsMax, "must be a whole number from 1 to 1000");
        }

        if (!int.TryParse(Value(Settings.NetnsMaxPortSeries), NumberStyles.None, CultureInfo.InvariantCulture, out var netnsSeries)
            || netnsSeries < Core.CardinalityLimiter.MinimumCap || netnsSeries > MaximumPortSeries)
        {
            Fail(Settings.NetnsMaxPortSeries, $"must be a whole number from {Core.CardinalityLimiter.MinimumCap} to {MaximumPortSeries}");
        }

        OtlpSettings? otlp = null;
        if (!bool.TryParse(Value(Settings.OtlpEnabled), out var otlpEnabled))
        {
            Fail(Settings.OtlpEnabled, "must be true or false");
        }
        else if (otlpEnabled)
        {
            otlp = OtlpEnvironment.Parse(environment, problems);
        }

        var level = Value(Settings.LogLevel);
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(level, ignoreCase: true, out var parsedLevel)
            || !Enum.IsDefined(parsedLevel) || char.IsDigit(level.FirstOrDefault()))
        {
            Fail(Settings.LogLevel, "must be Trace, Debug, Information, Warning, Error, Critical or None");
        }

        errors = problems;
        if (problems.Count > 0)
        {
            return null;
        }

        return new ExporterOptions
        {
            ListenAddress = endpoint!,
            TelemetryPath = path,
            MaxConnections = maxConnections,
            WebConfigFile = Value(Settings.WebConfigFile) is { Length: > 0 } webConfig ? webConfig : null,
            SampleInterval = interval,
            SampleMaxCpuPercent = maxCpuPercent,
            Source = source,
            ServerPorts = serverPorts,
            MaxPortSeries = maxSeries,
            ProcRoot = procRoot,
            ProcessName = processName,
            PidLabel = pidLabel,
            StuckStates = stuckStates,
            StuckThreshold = threshold,
            TopDestinations = topDestinations,
            NetnsEnabled = netnsEnabled,
            NetnsMax = netnsMax,
            NetnsMaxPortSeries = netnsSeries,
            Otlp = otlp,
        };
    }
}
