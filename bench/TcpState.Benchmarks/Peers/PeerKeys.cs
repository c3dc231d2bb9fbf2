namespace TcpState.Benchmarks.Peers;

/// <summary>The peers timed in rounds, by key; the report names them.</summary>
internal static class PeerKeys
{
    public const string Netlink = "netlink";
    public const string NetlinkAttributed = "netlink+attribution";
    public const string Proc = "proc";
    public const string Reference = "c-reference";
    public const string Ss = "ss";
    public const string NodeExporter = "node_exporter";
    public const string OtelParse = "otel-parse";
    public const string OtelFull = "otel-full";
    public const string SsTanp = "ss-tanp";
}
