using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TcpState.Exporter.Web;

/// <summary>
/// A salted password hash for basic authentication: PBKDF2 with HMAC-SHA256 from .NET's
/// cryptography (RFC 8018), written <c>$pbkdf2-sha256$ITERATIONS$SALT$HASH</c> with base64 salt and
/// hash. Verification always does the full derivation and compares in constant time.
/// </summary>
public sealed class PasswordHash
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    private const string Prefix = "$pbkdf2-sha256$";
    private const int MinimumIterations = 100_000;
    private readonly byte[] _salt;
    private readonly byte[] _hash;
    private readonly int _iterations;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        _iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    /// <summary>Hashes a new password with a random 16-byte salt.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool TryParse(string text, out PasswordHash? hash, out string? error)
    {
        hash = null;
        var parts = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Split('$') : [];
        if (parts.Length != 3)
        {
            error = "not a $pbkdf2-sha256$ITERATIONS$SALT$HASH hash (make one with: tcpstate-exporter hash-password)";
            return false;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinimumIterations)
        {
            error = $"the iteration count must be a number of at least {MinimumIterations}";
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var digest = Convert.FromBase64String(parts[2]);
            if (salt.Length < 8 || digest.Length != 32)
            {
                error = "the salt must have at least 8 bytes and the hash exactly 32";
                return false;
            }

            hash = new PasswordHash(iterations, salt, digest);
            error = null;
            return true;
        }
        catch (FormatException)
        {
            error = "the salt and hash must be base64";
            return false;
        }
    }

    public bool Verify(ReadOnlySpan<byte> password)
    {
        Span<byte> derived = stackalloc byte[32];
        Rfc2898DeriveBytes.Pbkdf2(password, _salt, derived, _iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, _hash);
    }
}
