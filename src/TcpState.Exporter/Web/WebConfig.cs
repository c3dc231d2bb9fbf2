namespace TcpState.Exporter.Web;

/// <summary>
/// The web configuration file (<c>--web.config.file</c>), in the layout of the Prometheus
/// exporters' web configuration: optional TLS and basic-authentication users.
/// </summary>
public sealed record WebConfig(TlsSettings? Tls, IReadOnlyDictionary<string, PasswordHash> Users)
{
    public static readonly WebConfig None = new(null, new Dictionary<string, PasswordHash>());
}
