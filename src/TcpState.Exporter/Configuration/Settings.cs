namespace TcpState.Exporter.Configuration;

/// <summary>Every setting of the exporter. The command-line parser, <c>--help</c> and validation all read this table.</summary>
public static class Settings
{
    public static readonly SettingDefinition ConfigFile = new(
        "--config.file", "Config:File", "",
        "JSON settings file (keys as in appsettings.json; comments allowed), read after appsettings.json beside the binary and before the environment. Must exist when given.");

    public static readonly SettingDefinition ListenAddress = new(
        "--web.listen-address", "Web:ListenAddress", ":9986",
        "Address to serve /metrics on: HOST:PORT, [IPv6]:PORT, or :PORT for every interface.");

    public static readonly SettingDefinition TelemetryPath = new(
        "--web.telemetry-path", "Web:TelemetryPath", "/metrics",
        "Path under which metrics are exposed; starts with '/'.");

    public static readonly SettingDefinition WebConfigFile = new(
        "--web.config.file", "Web:ConfigFile", "",
        "YAML file with TLS (tls_server_config) and basic authentication (basic_auth_users), as for Prometheus exporters; none by default.");

    public static readonly SettingDefinition MaxConnections = new(
        "--web.max-connections", "Web:MaxConnections", "64",
        "Most concurrent HTTP connections; further ones wait in the kernel's accept queue. 1 to 10000.");

    public static readonly SettingDefinition SampleInterval = new(
        "--sample.interval", "Sample:Interval", "10s",
        "Time between samples of the socket table, a Prometheus duration (500ms, 10s, 1m) from 100ms to 1h. Longer in effect when samples are slow or over --sample.max-cpu-percent.");

    public static readonly SettingDefinition MaxCpuPercent = new(
        "--sample.max-cpu-percent", "Sample:MaxCpuPercent", "2",
        "Most CPU the daemon may use, in percent of one core (0 to 100, e.g. 2 or 0.5); samples are held to nine tenths of it, the rest is for serving scrapes: when they cost more at --sample.interval, the interval stretches. 0 turns the budget off.");

    public static readonly SettingDefinition Source = new(
        "--sample.source", "Sample:Source", "auto",
        "Where sockets are read: netlink, proc, or auto (netlink, falling back to proc when netlink is unavailable).");

    public static readonly SettingDefinition ServerPorts = new(
        "--sample.server-ports", "Sample:ServerPorts", "",
        "Comma-separated ports always treated as server ports even when nothing listens on them, e.g. 80,443.");

    public static readonly SettingDefinition MaxPortSeries = new(
        "--metrics.max-port-series", "Metrics:MaxPortSeries", "1000",
        "Most tcpstate_port_sockets series; the smallest groups fold into port=\"other\". 24 to 100000.");

    public static readonly SettingDefinition ProcRoot = new(
        "--path.procfs", "Proc:Root", "/proc",
        "procfs mount point; the proc source reads <path>/net/tcp and <path>/net/tcp6.");

    public static readonly SettingDefinition ProcessName = new(
        "--process.name", "Process:Name", "comm",
        "What the process label shows: comm (/proc/PID/comm), exe (base name of the executable) or unit (systemd unit or container scope from the cgroup).");

    public static readonly SettingDefinition PidLabel = new(
        "--process.pid-label", "Process:PidLabel", "false",
        "Add a pid label to the per-process families (true or false); off by default because pids churn series.");

    public static readonly SettingDefinition StuckStates = new(
        "--stuck.states", "Stuck:States", "close_wait",
        "Comma-separated states whose sockets are followed for their age, e.g. close_wait,fin_wait2,last_ack,syn_recv.");

    public static readonly SettingDefinition StuckThreshold = new(
        "--stuck.threshold", "Stuck:Threshold", "5m",
        "Age from which a followed socket counts in tcpstate_stuck_sockets, a Prometheus duration from 1s to 7d.");

    public static readonly SettingDefinition TopDestinations = new(
        "--ephemeral.top-destinations", "Ephemeral:TopDestinations", "10",
        "How many of the busiest remote destinations (address and port) report their use of the ephemeral port range, 1 to 1000.");

    public static readonly SettingDefinition NetnsEnabled = new(
        "--netns.enabled", "Netns:Enabled", "false",
        "Also sample the host's other network namespaces (containers, ip netns), found in /proc/*/ns/net and /run/netns, with netns and container labels (true or false). Fast with CAP_SYS_ADMIN (netlink inside each namespace), else /proc/PID/net/tcp.");

    public static readonly SettingDefinition NetnsMax = new(
        "--netns.max", "Netns:Max", "16",
        "Most other namespaces sampled per sample, 1 to 1000; the rest are counted in tcpstate_netns_skipped{reason=\"limit\"}. Each dump may walk the host's whole TCP table (see the README).");

    public static readonly SettingDefinition NetnsMaxPortSeries = new(
        "--netns.max-port-series", "Netns:MaxPortSeries", "100",
        "Most tcpstate_port_sockets series per other namespace, as --metrics.max-port-series is for the host view. 24 to 100000.");

    public static readonly SettingDefinition OtlpEnabled = new(
        "--otlp.enabled", "Otlp:Enabled", "false",
        "Also push the metrics over OTLP to an OpenTelemetry Collector (true or false), configured by the standard OTEL_EXPORTER_OTLP_* and OTEL_METRIC_EXPORT_INTERVAL environment variables; /metrics keeps working.");

    public static readonly SettingDefinition LogLevel = new(
        "--log.level", "Logging:LogLevel:Default", "Information",
        "Log level: Trace, Debug, Information, Warning, Error or Critical.");

    public static IReadOnlyList<SettingDefinition> All { get; } =
        [ConfigFile, ListenAddress, TelemetryPath, WebConfigFile, MaxConnections, SampleInterval, MaxCpuPercent, Source, ServerPorts, MaxPortSeries, ProcRoot, ProcessName, PidLabel, StuckStates, StuckThreshold, TopDestinations, NetnsEnabled, NetnsMax, NetnsMaxPortSeries, OtlpEnabled, LogLevel];
}
