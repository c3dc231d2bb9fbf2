using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>Runs Debian's <c>promtool</c> (package prometheus, installed by tests/test.sh).</summary>
public static class Promtool
{
    public static ProcessResult CheckMetrics(byte[] exposition)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start promtool");
        process.StandardInput.BaseStream.Write(exposition);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("promtool did not finish in 30 s");
        }

        return new ProcessResult("promtool check metrics", process.ExitCode, output.Result, error.Result);
    }
}
