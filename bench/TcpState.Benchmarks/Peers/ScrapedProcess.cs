using System.Diagnostics;
using System.Globalization;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// A long-running HTTP exporter started inside the namespace (node_exporter, or our own daemon),
/// with its output kept for the report. Dispose kills it (the namespace's Dispose would as well).
/// </summary>
internal sealed class ScrapedProcess : IDisposable
{
    private readonly Process _process;
    private readonly NetworkNamespace _namespace;
    private readonly List<string> _output = [];
    private readonly Lock _gate = new();

    public ScrapedProcess(NetworkNamespace networkNamespace, string fileName, IEnumerable<string> arguments, int port, TimeSpan readyTimeout)
    {
        _namespace = networkNamespace;
        Port = port;
        _process = networkNamespace.Start(fileName, arguments);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
        try
        {
            NamespaceHttp.WaitUntilServing(networkNamespace, port, "/metrics", readyTimeout, () => $"{fileName} {(_process.HasExited ? $"exited with {_process.ExitCode}" : "still running")}: {string.Join(" | ", Output.TakeLast(5))}");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>'ip netns exec' execs the command, so this is the exporter's own pid.</summary>
    public int Pid => _process.Id;

    public int Port { get; }

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_gate)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>One scrape of /metrics, timed, with the CPU the exporter's threads used meanwhile.</summary>
    public (string Body, double WallMs, double CpuMs) Scrape()
    {
        var cpuBefore = ProcessUsage.ThreadsCpuNanoseconds(Pid);
        var (status, body, elapsed) = NamespaceHttp.Get(_namespace, Port, "/metrics");
        var cpuAfter = ProcessUsage.ThreadsCpuNanoseconds(Pid);
        if (status != 200)
        {
            throw new InvalidOperationException($"scrape of 127.0.0.1:{Port}/metrics answered {status}");
        }

        return (body, elapsed.TotalMilliseconds, (cpuAfter - cpuBefore) / 1e6);
    }

    /// <summary>The value of the first sample line of <paramref name="body"/> that starts with <paramref name="series"/>.</summary>
    public static double Value(string body, string series)
    {
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal) && line.Length > series.Length && line[series.Length] == ' ')
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }

    /// <summary>Sum of every sample of a family (lines 'name{...} value' or 'name value'), optionally skipping label values.</summary>
    public static double Sum(string body, string family, params string[] excludedFragments)
    {
        double total = 0;
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(family, StringComparison.Ordinal) && line.Length > family.Length && (line[family.Length] is '{' or ' ')
                && !excludedFragments.Any(f => line.Contains(f, StringComparison.Ordinal)))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Sample lines (series) in an exposition.</summary>
    public static int Series(string body) =>
        body.Split('\n').Count(l => l.Length > 0 && l[0] != '#');

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            // Bounded: a chatty process cannot fill the benchmark's memory.
            if (_output.Count < 10_000)
            {
                _output.Add(line);
            }
        }
    }
}
