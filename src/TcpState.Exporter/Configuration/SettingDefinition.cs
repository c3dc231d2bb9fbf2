namespace TcpState.Exporter.Configuration;

/// <summary>One setting: its command-line flag, its configuration key, its default and its help text.</summary>
/// <param name="Flag">The command-line flag, e.g. <c>--web.listen-address</c>.</param>
/// <param name="Key">The configuration key (appsettings.json path; <c>TCPSTATE_</c> + key with <c>__</c> for the environment).</param>
/// <param name="Default">The value used when nothing sets it.</param>
/// <param name="Help">One line for <c>--help</c>, naming the accepted values.</param>
public sealed record SettingDefinition(string Flag, string Key, string Default, string Help)
{
    /// <summary>The environment variable that sets it.</summary>
    public string EnvironmentVariable => "TCPSTATE_" + Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
}
