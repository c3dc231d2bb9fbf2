namespace TcpState.Exporter.Configuration;

/// <summary>The <c>--sample.source</c> setting.</summary>
public enum SampleSourceKind
{
    /// <summary>netlink, falling back to /proc when netlink cannot be opened.</summary>
    Auto,
    Netlink,
    Proc,
}
