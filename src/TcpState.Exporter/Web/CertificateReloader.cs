using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace TcpState.Exporter.Web;

/// <summary>
/// Serves the TLS certificate and picks up a renewed one from disk without a restart: at most
/// once a second a handshake checks the files' modification times, and a changed pair is loaded.
/// A pair that fails to load (e.g. caught half-written) keeps the previous certificate in use.
/// </summary>
public sealed partial class CertificateReloader : IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private readonly TlsSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedStamps;
    private long _lastCheck;

    public CertificateReloader(TlsSettings settings, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _time = time;
        _logger = logger;
        _loadedStamps = Stamps();
        _current = Load();
        _lastCheck = time.GetTimestamp();
    }

    /// <summary>The certificate for the next handshake.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                if (_time.GetElapsedTime(_lastCheck) >= CheckEvery)
                {
                    _lastCheck = _time.GetTimestamp();
                    ReloadIfChanged();
                }

                return _current;
            }
        }
    }

    private void ReloadIfChanged()
    {
        var stamps = Stamps();
        if (stamps == _loadedStamps) return;
        try
        {
            var fresh = Load();
            _current = fresh; // the old one may still serve handshakes in flight; it is left to the GC
            _loadedStamps = stamps;
            LogReloaded(_logger, _settings.CertificateFile, fresh.Subject, fresh.NotAfter);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            LogReloadFailed(_logger, _settings.CertificateFile, e.Message);
        }
    }

    private X509Certificate2 Load()
    {
        // Exported and re-imported so that the private key is usable by SslStream on Linux.
        using var pem = X509Certificate2.CreateFromPemFile(_settings.CertificateFile, _settings.KeyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private (DateTime, DateTime) Stamps() =>
        (File.GetLastWriteTimeUtc(_settings.CertificateFile), File.GetLastWriteTimeUtc(_settings.KeyFile));

    [LoggerMessage(1100, LogLevel.Information, "Loaded the renewed TLS certificate {File} ({Subject}, valid until {NotAfter:u})")]
    private static partial void LogReloaded(ILogger logger, string file, string subject, DateTime notAfter);

    [LoggerMessage(1101, LogLevel.Error, "Cannot load the changed TLS certificate {File}: {Message}. Still serving the previous certificate.")]
    private static partial void LogReloadFailed(ILogger logger, string file, string message);

    public void Dispose() => _current.Dispose();
}
