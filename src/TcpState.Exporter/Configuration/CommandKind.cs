namespace TcpState.Exporter.Configuration;

/// <summary>What the command line asks for.</summary>
public enum CommandKind
{
    /// <summary>Run the daemon.</summary>
    Run,

    /// <summary>Take one sample, print it as a table, exit.</summary>
    Snapshot,

    /// <summary>Read a password on standard input, print its hash for the web configuration file.</summary>
    HashPassword,

    Help,
    Version,
}
