using System.Security.Authentication;
using TcpState.Exporter.Web;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Web;

public sealed class WebConfigLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpstate-webconfig-").FullName;

    [Fact]
    public void Load_TlsAndUsers_ReadsBoth()
    {
        var (cert, key) = TestCertificates.WritePair(_directory, "a");
        var hash = PasswordHash.Create("pw", 100_000);

        var config = Load($"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: '{hash}'\n", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new TlsSettings(cert, key, SslProtocols.Tls13), config.Tls);
        Assert.Equal(["prometheus"], config.Users.Keys);
    }

    [Theory]
    [InlineData("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n", "tls_server_config: cannot load the certificate /nonexistent.crt")]
    [InlineData("tls_server_config:\n  cert_file: /x.crt\n", "tls_server_config: needs both cert_file and key_file")]
    [InlineData("tls_server_config:\n  min_version: TLS11\n", "tls_server_config.min_version: \"TLS11\" is not TLS12 or TLS13")]
    [InlineData("basic_auth_users:\n  admin: secret\n", "basic_auth_users.admin: not a $pbkdf2-sha256$")]
    [InlineData("basic_auth_user:\n  admin: x\n", "basic_auth_user: unknown key")]
    [InlineData("- a\n- b\n", "(top level): must be a mapping")]
    [InlineData("basic_auth_users: [unclosed\n", "cannot read the web configuration")]
    public void Load_Problem_IsReportedWithFileAndKeyAndNeverTheSecret(string yaml, string expected)
    {
        Load(yaml, out var errors);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("secret", e, StringComparison.Ordinal));
    }

    private WebConfig Load(string yaml, out IReadOnlyList<string> errors)
    {
        var path = Path.Combine(_directory, "web.yml");
        File.WriteAllText(path, yaml);
        return WebConfigLoader.Load(path, out errors);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
