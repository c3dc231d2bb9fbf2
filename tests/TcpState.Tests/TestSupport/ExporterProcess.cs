using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>The real, built tcpstate-exporter process, started inside a test namespace.</summary>
public sealed partial class ExporterProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ExporterProcess(NetworkNamespace? ns, int port, Process process)
    {
        Namespace = ns;
        Port = port;
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_error) _error.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "tcpstate-exporter");

    /// <summary>The namespace it runs in, or null for the host's.</summary>
    public NetworkNamespace? Namespace { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

    /// <summary>Starts the exporter on 127.0.0.1:<paramref name="port"/> in the namespace and waits until /healthz answers 200.</summary>
    public static ExporterProcess Start(NetworkNamespace ns, int port, params string[] extraArguments) =>
        Start(ns, port, asNobody: false, extraArguments);

    /// <summary>As <see cref="Start(NetworkNamespace, int, string[])"/>; <paramref name="asNobody"/> runs it as uid 65534 with no capabilities (setpriv).</summary>
    public static ExporterProcess Start(NetworkNamespace ns, int port, bool asNobody, params string[] extraArguments)
    {
        string[] arguments = [$"--web.listen-address=127.0.0.1:{port}", .. extraArguments];
        var process = asNobody
            ? ns.Start("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "env", "HOME=/tmp", ExecutablePath, .. arguments])
            : ns.Start(ExecutablePath, arguments);
        return WaitUntilHealthy(new ExporterProcess(ns, port, process));
    }

    /// <summary>
    /// Starts the exporter in the namespace as uid 65534 holding only the two capabilities of the
    /// packaged unit (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) as ambient capabilities: attribution works,
    /// entering other network namespaces (CAP_SYS_ADMIN) does not.
    /// </summary>
    public static ExporterProcess StartWithUnitCapabilities(NetworkNamespace ns, int port, params string[] extraArguments)
    {
        const string Capabilities = "+sys_ptrace,+dac_read_search";
        var process = ns.Start("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", $"--inh-caps=-all,{Capabilities}", $"--ambient-caps={Capabilities}",
            "env", "HOME=/tmp", ExecutablePath, $"--web.listen-address=127.0.0.1:{port}", .. extraArguments]);
        return WaitUntilHealthy(new ExporterProcess(ns, port, process));
    }

    /// <summary>
    /// Starts the exporter in the host's network namespace with extra environment variables (e.g.
    /// NOTIFY_SOCKET: an abstract unix socket is only reachable from the same network namespace).
    /// </summary>
    public static ExporterProcess StartOnHost(int port, IReadOnlyDictionary<string, string> environment, params string[] extraArguments) =>
        StartOnHost(port, environment, waitForHttp: true, extraArguments);

    /// <summary>As above; with <paramref name="waitForHttp"/> false it returns at once (for HTTPS, which the test polls itself).</summary>
    public static ExporterProcess StartOnHost(int port, IReadOnlyDictionary<string, string> environment, bool waitForHttp, params string[] extraArguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[$"--web.listen-address=127.0.0.1:{port}", .. extraArguments]) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var exporter = new ExporterProcess(null, port, Process.Start(start)!);
        return waitForHttp ? WaitUntilHealthy(exporter) : exporter;
    }

    private static ExporterProcess WaitUntilHealthy(ExporterProcess exporter)
    {
        var process = exporter._process;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the exporter exited with {process.ExitCode}: {exporter.Output}{exporter.Error}");
            }

            try
            {
                if (exporter.Get("/healthz").Status == 200) return exporter;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // not listening yet
            }

            Thread.Sleep(100);
        }

        exporter.Dispose();
        throw new TimeoutException($"the exporter did not become healthy in 30 s: {exporter.Output}{exporter.Error}");
    }

    public HttpResult Get(string path, params (string Name, string Value)[] headers) =>
        Namespace is null ? LoopbackHttp.Send(Port, "GET", path, headers) : LoopbackHttp.Get(Namespace, Port, path, headers);

    /// <summary>Scrapes /metrics until <paramref name="condition"/> holds (e.g. a later sample has seen something), at most 15 s.</summary>
    public string WaitForMetrics(Func<string, bool> condition) => WaitForMetrics(condition, TimeSpan.FromSeconds(15));

    /// <summary>As <see cref="WaitForMetrics(Func{string, bool})"/>, at most <paramref name="timeout"/>.</summary>
    public string WaitForMetrics(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        string text;
        do
        {
            text = Get("/metrics").Text;
            if (condition(text)) return text;
            Thread.Sleep(200);
        }
        while (deadline.Elapsed < timeout);

        throw new TimeoutException($"/metrics never met the condition in {timeout.TotalSeconds:0} s; last scrape:\n{text}");
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill failed: errno {Marshal.GetLastPInvokeError()}");
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"the exporter did not exit within {timeout} of SIGTERM");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
