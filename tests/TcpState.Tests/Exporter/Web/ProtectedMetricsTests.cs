using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using TcpState.Exporter.Web;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Web;

/// <summary>The real exporter behind TLS and basic authentication from a web configuration file.</summary>
public sealed class ProtectedMetricsTests : IDisposable
{
    private const int Port = 19998;
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpstate-tls-").FullName;
    private readonly string _certificate;
    private readonly string _key;
    private readonly ExporterProcess _exporter;

    public ProtectedMetricsTests()
    {
        var (certificate, key) = TestCertificates.WritePair(_directory, "first");
        _certificate = Path.Combine(_directory, "tls.crt");
        _key = Path.Combine(_directory, "tls.key");
        File.Move(certificate, _certificate);
        File.Move(key, _key);
        var web = Path.Combine(_directory, "web.yml");
        File.WriteAllText(web, $"tls_server_config:\n  cert_file: {_certificate}\n  key_file: {_key}\nbasic_auth_users:\n  prometheus: '{PasswordHash.Create("s3cret")}'\n");
        _exporter = ExporterProcess.StartOnHost(Port, new Dictionary<string, string>(), waitForHttp: false, $"--web.config.file={web}");
        WaitForHttps();
    }

    [Fact]
    public async Task Metrics_NoOrWrongCredentials_401AndCountedRightOnes200()
    {
        using var client = Client(out _);

        var none = await client.GetAsync(Url("/metrics"));
        var wrong = await Send(client, "prometheus", "guess");
        var unknown = await Send(client, "admin", "s3cret");
        var right = await Send(client, "prometheus", "s3cret");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Basic", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var text = await right.Content.ReadAsStringAsync();
        Assert.True(PrometheusText.Samples(text, "tcpstate_http_auth_failures_total")["reason=invalid"] >= 2);
        Assert.True(PrometheusText.Samples(text, "tcpstate_http_auth_failures_total")["reason=missing"] >= 1);
        Assert.DoesNotContain("s3cret", _exporter.Output + _exporter.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", _exporter.Output + _exporter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_Tls11_IsRefused()
    {
        // The obsolete protocol is the point of this test: the server must refuse it.
#pragma warning disable SYSLIB0039
        using var handler = new HttpClientHandler { SslProtocols = SslProtocols.Tls11, ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
#pragma warning restore SYSLIB0039
        using var client = new HttpClient(handler);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(Url("/metrics")));
    }

    [Fact]
    public async Task Certificate_ReplacedOnDisk_NextHandshakeServesTheNewOne()
    {
        using (var before = Client(out var seen))
        {
            await Send(before, "prometheus", "s3cret");
            Assert.Contains("tcpstate-test-first", seen(), StringComparison.Ordinal);
        }

        var (certificate, key) = TestCertificates.WritePair(_directory, "second");
        File.Copy(key, _key, overwrite: true);
        File.Copy(certificate, _certificate, overwrite: true);
        var subject = "";
        for (var attempt = 0; attempt < 50 && !subject.Contains("second", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(200);
            using var after = Client(out var seenAfter);
            await Send(after, "prometheus", "s3cret");
            subject = seenAfter();
        }

        Assert.Contains("tcpstate-test-second", subject, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url("/metrics"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client.SendAsync(request);
    }

    // Trusts any certificate (they are self-signed) but reports which one the server presented.
    private static HttpClient Client(out Func<string> presentedSubject)
    {
        var subject = "";
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                subject = certificate?.Subject ?? "";
                return true;
            },
        };
        presentedSubject = () => subject;
        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(20) };
    }

    private static string Url(string path) => $"https://127.0.0.1:{Port}{path}";

    private void WaitForHttps()
    {
        using var client = Client(out _);
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if (client.GetAsync(Url("/healthz")).GetAwaiter().GetResult().StatusCode == HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException)
            {
                Thread.Sleep(200);
            }
        }

        throw new TimeoutException("the exporter did not answer over HTTPS: " + _exporter.Output + _exporter.Error);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
