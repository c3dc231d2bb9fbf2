using System.Diagnostics;

namespace TcpState.Tests.Infrastructure;

/// <summary>Runs a command to completion with a hard timeout, capturing both output streams.</summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // A command that unexpectedly reads stdin must see EOF instead of waiting on the test runner's stdin.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = string.Join(' ', startInfo.ArgumentList.Prepend(fileName));
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start '{commandLine}'");
        process.StandardInput.Close();

        // Both streams are read concurrently; reading one after the other can deadlock on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{commandLine}' did not finish within {timeout.TotalSeconds} s; stderr: {stderr.GetAwaiter().GetResult()}");
        }

        // The no-argument overload also waits for the output pipes to be drained.
        process.WaitForExit();
        return new ProcessResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
