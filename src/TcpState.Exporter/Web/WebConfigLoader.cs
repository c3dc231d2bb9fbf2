using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TcpState.Exporter.Web;

/// <summary>
/// Reads the web configuration file. Every problem is reported with the file and the key, and
/// the exporter does not start: a typo must never silently leave /metrics unprotected.
/// </summary>
public static class WebConfigLoader
{
    public static WebConfig Load(string path, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        errors = problems;
        void Fail(string key, string message) => problems.Add($"invalid web configuration {path}: {key}: {message}");

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            if (stream.Documents.Count == 0)
            {
                return WebConfig.None;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                Fail("(top level)", "must be a mapping of tls_server_config and basic_auth_users");
                return WebConfig.None;
            }

            root = mapping;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            problems.Add($"cannot read the web configuration {path}: {e.Message}");
            return WebConfig.None;
        }

        TlsSettings? tls = null;
        var users = new Dictionary<string, PasswordHash>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            switch (Scalar(keyNode))
            {
                case "tls_server_config":
                    tls = ReadTls(value, Fail);
                    break;
                case "basic_auth_users":
                    ReadUsers(value, users, Fail);
                    break;
                case var other:
                    Fail(other ?? "?", "unknown key; expected tls_server_config or basic_auth_users");
                    break;
            }
        }

        return new WebConfig(tls, users);
    }

    private static TlsSettings? ReadTls(YamlNode node, Action<string, string> fail)
    {
        if (node is not YamlMappingNode mapping)
        {
            fail("tls_server_config", "must be a mapping with cert_file and key_file");
            return null;
        }

        string? cert = null, key = null;
        var protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var name = Scalar(keyNode);
            var text = Scalar(value);
            switch (name)
            {
                case "cert_file": cert = text; break;
                case "key_file": key = text; break;
                case "min_version" when text is "TLS12": protocols = SslProtocols.Tls12 | SslProtocols.Tls13; break;
                case "min_version" when text is "TLS13": protocols = SslProtocols.Tls13; break;
                case "min_version": fail("tls_server_config.min_version", $"\"{text}\" is not TLS12 or TLS13 (older versions are not offered)"); break;
                default: fail($"tls_server_config.{name}", "unknown key; expected cert_file, key_file or min_version"); break;
            }
        }

        if (string.IsNullOrEmpty(cert) || string.IsNullOrEmpty(key))
        {
            fail("tls_server_config", "needs both cert_file and key_file (PEM)");
            return null;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            fail("tls_server_config", $"cannot load the certificate {cert} with the key {key}: {e.Message}");
            return null;
        }

        return new TlsSettings(cert, key, protocols);
    }

    private static void ReadUsers(YamlNode node, Dictionary<string, PasswordHash> users, Action<string, string> fail)
    {
        if (node is not YamlMappingNode mapping)
        {
            fail("basic_auth_users", "must be a mapping of user names to password hashes");
            return;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var user = Scalar(keyNode) ?? "";
            if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal))
            {
                fail("basic_auth_users", $"\"{user}\" is not a user name (non-empty, no ':')");
                continue;
            }

            // The hash is never echoed: only what is wrong with it.
            if (!PasswordHash.TryParse(Scalar(value) ?? "", out var hash, out var error))
            {
                fail($"basic_auth_users.{user}", error!);
                continue;
            }

            users[user] = hash!;
        }
    }

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value;
}
