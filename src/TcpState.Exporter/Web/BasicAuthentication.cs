using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace TcpState.Exporter.Web;

/// <summary>
/// HTTP basic authentication against the salted hashes of the web configuration. A PBKDF2
/// check costs a deliberate ~0.3 s, too much for every scrape, so a successful check is
/// remembered for five minutes under a keyed hash of the credentials (never the password itself).
/// Unknown users cost the same derivation as known ones, and nothing about the credentials is logged.
/// </summary>
public sealed class BasicAuthentication
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);
    private static readonly PasswordHash Decoy = PasswordHash.TryParse(PasswordHash.Create(Guid.NewGuid().ToString()), out var hash, out _) ? hash! : throw new InvalidOperationException();
    private readonly IReadOnlyDictionary<string, PasswordHash> _users;
    private readonly AuthenticationStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, long> _verified = new();

    public BasicAuthentication(IReadOnlyDictionary<string, PasswordHash> users, AuthenticationStatistics statistics, TimeProvider time)
    {
        _users = users;
        _statistics = statistics;
        _time = time;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var reason = Check(context.Request.Headers.Authorization.ToString());
        if (reason is null)
        {
            return next(context);
        }

        _statistics.RecordFailure(reason);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"tcpstate-exporter\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }

    /// <summary>Null when the header carries valid credentials, else the failure reason.</summary>
    public string? Check(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || authorization.Length > 2048)
        {
            return AuthenticationStatistics.Missing;
        }

        var encoded = Encoding.ASCII.GetBytes(authorization.AsSpan(6).Trim().ToString());
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, decoded, out _, out var length) != System.Buffers.OperationStatus.Done)
        {
            return AuthenticationStatistics.Missing;
        }

        var credentials = decoded.AsSpan(0, length);
        var colon = credentials.IndexOf((byte)':');
        if (colon < 0)
        {
            return AuthenticationStatistics.Missing;
        }

        var user = Encoding.UTF8.GetString(credentials[..colon]);
        var password = credentials[(colon + 1)..];
        var cacheKey = Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, credentials));
        var now = _time.GetTimestamp();
        if (_verified.TryGetValue(cacheKey, out var verifiedAt) && _time.GetElapsedTime(verifiedAt, now) < RememberFor)
        {
            return null;
        }

        var known = _users.TryGetValue(user, out var hash);
        var matches = (hash ?? Decoy).Verify(password);
        CryptographicOperations.ZeroMemory(decoded);
        if (!known || !matches)
        {
            return AuthenticationStatistics.Invalid;
        }

        if (_verified.Count > 1000) _verified.Clear(); // a bound: entries are cheap to recompute
        _verified[cacheKey] = now;
        return null;
    }
}
