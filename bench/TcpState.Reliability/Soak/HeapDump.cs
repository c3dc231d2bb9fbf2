using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TcpState.Reliability.Soak;

/// <summary>
/// Writes a dump with the managed heap of this process (the runtime's own <c>createdump</c>), for
/// <c>soak --dump-dir</c>: a dump at the reference and one after each phase, taken right after the
/// measurement's full compacting GC, can be compared object by object offline (mode
/// <c>heapdiff</c>). Diagnosis only: a dump of a soak's process is a few hundred MB.
/// </summary>
internal static class HeapDump
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static void Write(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(Path.GetFullPath(directory), name + ".dmp");
        var createdump = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "createdump");
        var start = new ProcessStartInfo(createdump) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--withheap", "-f", path, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{createdump} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new InvalidOperationException($"{createdump} did not finish within {Timeout.TotalSeconds:0} s");
        }

        var message = output.Result + error.Result;
        // Closed here, not left to the finalizer: the soak counts this process's open fds next.
        process.StandardOutput.Dispose();
        process.StandardError.Dispose();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{createdump} failed ({process.ExitCode}): {message}");
        }

        Console.WriteLine($"                   heap dump: {path} ({new FileInfo(path).Length / (1024 * 1024)} MiB)");
    }
}
