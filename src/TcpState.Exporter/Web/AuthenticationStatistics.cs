using System.Collections.Concurrent;

namespace TcpState.Exporter.Web;

/// <summary>Counts refused requests by reason, for <c>tcpstate_http_auth_failures_total</c>.</summary>
public sealed class AuthenticationStatistics
{
    /// <summary>No credentials, or not a well-formed Basic header.</summary>
    public const string Missing = "missing";

    /// <summary>An unknown user or a wrong password (told apart nowhere, so a scanner learns nothing).</summary>
    public const string Invalid = "invalid";

    private readonly ConcurrentDictionary<string, long> _failures = new([KeyValuePair.Create(Missing, 0L), KeyValuePair.Create(Invalid, 0L)]);

    public IEnumerable<KeyValuePair<string, long>> Failures => _failures;

    public void RecordFailure(string reason) => _failures.AddOrUpdate(reason, 1, static (_, n) => n + 1);
}
