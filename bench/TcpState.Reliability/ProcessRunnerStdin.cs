using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability;

/// <summary>Runs a command with bytes on its stdin and a hard timeout (e.g. promtool check metrics).</summary>
internal static class ProcessRunnerStdin
{
    public static ProcessResult Run(string fileName, IReadOnlyList<string> arguments, byte[] input, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It stopped reading early; its exit code and output say why.
        }

        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds:0} s");
        }

        process.WaitForExit();
        return new ProcessResult($"{fileName} {string.Join(' ', arguments)}", process.ExitCode, output.Result, error.Result);
    }
}
