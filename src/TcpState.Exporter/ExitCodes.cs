namespace TcpState.Exporter;

/// <summary>Process exit codes, documented in the README.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The exporter could not start or sample: e.g. the listen port is taken, netlink was required but refused.</summary>
    public const int Failure = 1;

    /// <summary>A command-line flag or a setting is invalid.</summary>
    public const int BadSettings = 2;
}
