using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Reliability.Soak;

/// <summary>
/// A short-lived SocketHolder of the churn, started through any path (a symlink with a hostile
/// name gives it that comm), ready once it printed its READY line. Dispose closes its stdin (the
/// holder's signal to exit) and kills it if it does not go within a few seconds.
/// </summary>
internal sealed class ChurnHolder : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;

    private ChurnHolder(Process process, int port, string name)
    {
        _process = process;
        Port = port;
        Name = name;
    }

    /// <summary>The port of its listener (the others it made are toward it).</summary>
    public int Port { get; }

    /// <summary>The name it was started as (its comm is the first 15 bytes).</summary>
    public string Name { get; }

    /// <summary>Starts the holder and waits for READY; null when it could not build its sockets (it says why on stderr, e.g. the port was taken).</summary>
    public static ChurnHolder? Start(NetworkNamespace ns, string path, string name, int port, IReadOnlyList<string> arguments)
    {
        // Not NetworkNamespace.Start: it keeps every process it started until the namespace goes, to
        // kill leftovers, and thousands of churn processes would then look like a leak of the
        // exporter's heap. The driver stops its holders itself; the namespace still sweeps its pids.
        var start = new ProcessStartInfo(SystemTools.Ip)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["netns", "exec", ns.Name, path, .. arguments]) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {path}");
        var holder = new ChurnHolder(process, port, name);
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ReadyTimeout)
        {
            var line = process.StandardOutput.ReadLine();
            if (line is null)
            {
                break;
            }

            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                // Keep draining stdout so that the holder never blocks on a full pipe.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                return holder;
            }
        }

        holder.Dispose();
        Console.Error.WriteLine($"# churn holder on port {port} did not start: {(stderr.Wait(1000) ? stderr.Result.Trim() : "(no stderr)")}");
        return null;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone: its stdin pipe is closed.
        }

        if (!_process.WaitForExit(ExitTimeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(ExitTimeout);
        }

        _process.Dispose();
    }
}
