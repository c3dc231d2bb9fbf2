using System.Security.Authentication;

namespace TcpState.Exporter.Web;

/// <summary>The <c>tls_server_config</c> section of the web configuration file.</summary>
public sealed record TlsSettings(string CertificateFile, string KeyFile, SslProtocols Protocols);
