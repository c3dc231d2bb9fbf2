using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Debian's real <c>prometheus</c> (package prometheus, installed by tests/test.sh) running inside a test network
/// namespace, on loopback, with its configuration, rules and TSDB in a temporary directory. Its HTTP API is called
/// from a thread inside the namespace. Dispose stops it and deletes the directory.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    public const string ConfigFileName = "prometheus.yml";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private bool _disposed;

    private PrometheusServer(NetworkNamespace ns, int port, string directory, Process process)
    {
        Namespace = ns;
        Port = port;
        Directory = directory;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public NetworkNamespace Namespace { get; }

    public int Port { get; }

    /// <summary>The temporary directory holding prometheus.yml, the other files passed to Start, and data/.</summary>
    public string Directory { get; }

    /// <summary>What Prometheus logged so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="config"/> as prometheus.yml and each of <paramref name="files"/> (name, content) next
    /// to it (relative rule_files paths resolve there), starts Prometheus on 127.0.0.1:<paramref name="port"/> in
    /// the namespace, and waits until /-/ready answers 200.
    /// </summary>
    public static PrometheusServer Start(NetworkNamespace ns, int port, string config, IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(files);
        var directory = System.IO.Directory.CreateTempSubdirectory("tcpstate-prometheus-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, ConfigFileName), config);
            foreach (var (name, content) in files)
            {
                File.WriteAllText(Path.Combine(directory, name), content);
            }

            var process = ns.Start("prometheus",
            [
                $"--config.file={Path.Combine(directory, ConfigFileName)}",
                $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            ]);
            var server = new PrometheusServer(ns, port, directory, process);
            try
            {
                server.WaitUntilReady();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
        catch
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>GET on the HTTP API, e.g. "/api/v1/alerts"; returns the parsed json body whatever the status.</summary>
    public JsonElement Get(string pathAndQuery)
    {
        var response = LoopbackHttp.Get(Namespace, Port, pathAndQuery);
        using var json = JsonDocument.Parse(response.Body);
        return json.RootElement.Clone();
    }

    /// <summary>An instant query at the current time (/api/v1/query).</summary>
    public JsonElement Query(string promql) => Get("/api/v1/query?query=" + Uri.EscapeDataString(promql));

    /// <summary>A range query (/api/v1/query_range) over the last <paramref name="range"/>, one point per <paramref name="step"/>.</summary>
    public JsonElement QueryRange(string promql, TimeSpan range, TimeSpan step)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var start = end - range.TotalSeconds;
        return Get(string.Create(CultureInfo.InvariantCulture,
            $"/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={start:F3}&end={end:F3}&step={step.TotalSeconds}"));
    }

    /// <summary>
    /// Runs an instant query until <paramref name="accept"/> holds for its result array, at most
    /// <paramref name="timeout"/>; returns that result or throws with the last response and Prometheus's log.
    /// </summary>
    public JsonElement WaitForQuery(string promql, Func<JsonElement, bool> accept, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var clock = Stopwatch.StartNew();
        JsonElement last;
        do
        {
            last = Query(promql);
            if (last.GetProperty("status").GetString() == "success" && accept(last.GetProperty("data").GetProperty("result")))
            {
                return last.GetProperty("data").GetProperty("result");
            }

            Thread.Sleep(250);
        }
        while (clock.Elapsed < timeout);

        throw new TimeoutException($"'{promql}' did not give the expected result within {timeout.TotalSeconds} s; last response: {last}{Environment.NewLine}prometheus log:{Environment.NewLine}{Log}");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:{Environment.NewLine}{Log}");
            }

            try
            {
                if (LoopbackHttp.Get(Namespace, Port, "/-/ready").Status == 200)
                {
                    return;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException($"prometheus was not ready within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
