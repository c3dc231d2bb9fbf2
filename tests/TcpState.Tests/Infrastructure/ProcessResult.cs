namespace TcpState.Tests.Infrastructure;

/// <summary>Outcome of a finished command; CommandLine is kept so failure messages say what was run.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with the command's stderr when it did not exit with 0, so setup failures explain themselves.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{CommandLine}' exited with {ExitCode}.{Environment.NewLine}stderr: {StandardError}{Environment.NewLine}stdout: {StandardOutput}");
        }

        return this;
    }
}
