using Microsoft.Extensions.Logging;

namespace TcpState.Exporter.Sampling;

internal static partial class NamespaceLog
{
    [LoggerMessage(1100, LogLevel.Information, "Sampling the other network namespaces too (--netns.enabled), at most {Max} of them per sample")]
    public static partial void Enabled(ILogger logger, int max);

    [LoggerMessage(1101, LogLevel.Warning, "Cannot enter network namespaces ({Message}); reading /proc/PID/net/tcp and tcp6 of a process in each instead, which is slower and cannot read a namespace without a process or its ephemeral port range. Grant CAP_SYS_ADMIN for netlink, or set --sample.source=proc to silence this warning.")]
    public static partial void FellBackToProc(ILogger logger, string message);

    [LoggerMessage(1102, LogLevel.Warning, "{Discovered} other network namespaces exist and --netns.max is {Max}: {Skipped} are not sampled (tcpstate_netns_skipped{{reason=\"limit\"}}). Namespaces already sampled keep their place; raise --netns.max to see them all, mindful that each dump may walk the host's whole TCP table.")]
    public static partial void OverLimit(ILogger logger, int discovered, int max, int skipped);

    [LoggerMessage(1103, LogLevel.Warning, "Cannot sample network namespace {Netns} ({Reason}): {Message}. It is skipped and counted in tcpstate_netns_skipped{{reason=\"error\"}}; further failures of this namespace are logged at Debug level.")]
    public static partial void Failed(ILogger logger, string netns, string reason, string message);

    [LoggerMessage(1104, LogLevel.Debug, "Network namespace {Netns} failed again ({Reason}): {Message}")]
    public static partial void FailedAgain(ILogger logger, string netns, string reason, string message);

    [LoggerMessage(1105, LogLevel.Debug, "Network namespace {Netns} appeared (container \"{Container}\", source {Source})")]
    public static partial void Appeared(ILogger logger, string netns, string container, string source);

    [LoggerMessage(1107, LogLevel.Information, "Network namespace {Netns} shares the host's TCP hash table (net.ipv4.tcp_ehash_entries is negative in it): each of its dumps walks every socket of the host's table, as does every other such namespace's (tcpstate_netns_info{{hash_table=\"shared\"}}). On hosts with many sockets, set net.ipv4.tcp_child_ehash_entries before containers start, or lower --netns.max. Logged once.")]
    public static partial void SharedHashTable(ILogger logger, string netns);

    [LoggerMessage(1106, LogLevel.Debug, "Network namespace {Netns} is gone; its series are dropped")]
    public static partial void Forgotten(ILogger logger, string netns);
}
