using System.Diagnostics;
using System.Text.Json;

namespace TcpState.Tests.Infrastructure;

/// <summary>
/// A running SocketHolder inside a <see cref="NetworkNamespace"/>, started once its READY line arrived.
/// Dispose closes its stdin (its signal to exit) and kills it if it does not exit promptly.
/// </summary>
public sealed class SocketHolderProcess : IDisposable
{
    public const string ExecutableName = "SocketHolder";

    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    // Strict: a field the holder does not send, or a missing required one, means the two sides drifted apart.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    // A plain object, not System.Threading.Lock: waiting for READY and accepts needs Monitor.Wait/PulseAll.
    private readonly object _gate = new();
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<SocketHolderAccepted> _accepted = [];
    private bool _stdoutClosed;
    private bool _disposed;
    private SocketHolderReady? _ready;
    private string? _readyJson;

    private SocketHolderProcess(Process process)
    {
        _process = process;

        // Subscribed before reading starts, so no line (READY included) can be missed.
        process.OutputDataReceived += (_, e) => OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => OnStderr(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The holder's own pid (checked to equal the READY json pid, so it is not the pid of 'ip').</summary>
    public int Pid => Ready.Pid;

    public SocketHolderReady Ready => _ready ?? throw new InvalidOperationException("holder is not READY yet");

    /// <summary>The raw json of the READY line, for assertions the typed view does not cover.</summary>
    public string ReadyJson => _readyJson ?? throw new InvalidOperationException("holder is not READY yet");

    /// <summary>Exit code once the process has ended (after <see cref="Stop"/> or Dispose), otherwise null.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Connections accepted so far by --accept (reported on 'ACCEPTED' lines).</summary>
    public IReadOnlyList<SocketHolderAccepted> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    /// <summary>Everything the holder wrote to stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _stderr);
            }
        }
    }

    /// <summary>
    /// The command that runs the holder: the apphost next to the test assembly (copied there by the test project's
    /// ProjectReference), else 'dotnet SocketHolder.dll' when only the dll is present.
    /// </summary>
    public static IReadOnlyList<string> Command
    {
        get
        {
            var directory = AppContext.BaseDirectory;
            var apphost = Path.Combine(directory, ExecutableName);

            // The execute bit is checked because a copied apphost without it would fail with EACCES inside 'ip netns exec'.
            if (OperatingSystem.IsLinux() && File.Exists(apphost) && (File.GetUnixFileMode(apphost) & UnixFileMode.UserExecute) != 0)
            {
                return [apphost];
            }

            var dll = Path.Combine(directory, ExecutableName + ".dll");
            if (File.Exists(dll))
            {
                // DOTNET_HOST_PATH is set by 'dotnet test'; 'ip netns exec' resolves a bare 'dotnet' via PATH otherwise.
                return [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", dll];
            }

            throw new FileNotFoundException(
                $"Neither {apphost} nor {dll} exists; the test project must reference tests/SocketHolder/SocketHolder.csproj.");
        }
    }

    /// <summary>
    /// The holder's process name (/proc/PID/comm, ss -p users:) as started by <see cref="Command"/>: "SocketHolder"
    /// with the apphost, "dotnet" with the dll fallback. Process-attribution tests should compare against this.
    /// </summary>
    public static string ExpectedProcessName => Command.Count == 1 ? ExecutableName : "dotnet";

    /// <summary>Starts the holder with SocketHolder command-line arguments and waits up to DefaultReadyTimeout for READY.</summary>
    public static SocketHolderProcess Start(NetworkNamespace networkNamespace, params string[] arguments) =>
        Start(networkNamespace, DefaultReadyTimeout, arguments);

    /// <summary>
    /// Starts the holder in the namespace and waits for its READY line. Throws (after killing it) with the holder's
    /// stderr when it exits or does not become ready within <paramref name="readyTimeout"/>.
    /// </summary>
    public static SocketHolderProcess Start(NetworkNamespace networkNamespace, TimeSpan readyTimeout, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(networkNamespace);
        var command = Command;
        var process = networkNamespace.Start(command[0], [.. command.Skip(1), .. arguments]);
        var commandLine = string.Join(' ', [.. command, .. arguments]);
        var holder = new SocketHolderProcess(process);
        try
        {
            var readyJson = holder.WaitForReady(readyTimeout, commandLine);
            var ready = JsonSerializer.Deserialize<SocketHolderReady>(readyJson, JsonOptions)
                ?? throw new InvalidOperationException($"'{commandLine}': READY json is null");

            // 'ip netns exec' execs the holder, so the child we started is the holder itself; if that ever changes,
            // Pid-based assertions would silently point at 'ip'.
            if (ready.Pid != process.Id)
            {
                throw new InvalidOperationException($"'{commandLine}': holder reports pid {ready.Pid} but the started process is {process.Id}");
            }

            holder._ready = ready;
            holder._readyJson = readyJson;
            return holder;
        }
        catch
        {
            Terminate(process);
            holder._disposed = true;
            process.Dispose();
            throw;
        }
    }

    /// <summary>Waits until --accept has taken at least <paramref name="count"/> connections; throws TimeoutException otherwise.</summary>
    public IReadOnlyList<SocketHolderAccepted> WaitForAccepted(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            while (_accepted.Count < count)
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero || _stdoutClosed)
                {
                    var why = _stdoutClosed ? "before it exited" : $"within {timeout.TotalSeconds} s";
                    throw new TimeoutException(
                        $"holder {Pid} accepted {_accepted.Count} of {count} connections {why}.{Environment.NewLine}stderr:{Environment.NewLine}{string.Join(Environment.NewLine, _stderr)}{Environment.NewLine}other stdout:{Environment.NewLine}{string.Join(Environment.NewLine, _stdout)}");
                }

                Monitor.Wait(_gate, left);
            }

            return [.. _accepted];
        }
    }

    /// <summary>Closes stdin (the holder's exit signal), waits for exit, kills it if it takes too long; returns the exit code.</summary>
    public int Stop()
    {
        if (ExitCode is { } done)
        {
            return done;
        }

        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The holder is already gone (broken pipe); its exit code is collected below.
        }

        if (!_process.WaitForExit(ExitTimeout))
        {
            Terminate(_process);
        }

        // Also drains the asynchronous output readers.
        _process.WaitForExit();
        ExitCode = _process.ExitCode;
        return ExitCode.Value;
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
            Stop();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Terminate(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(ExitTimeout);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private void OnStdout(string? line)
    {
        lock (_gate)
        {
            if (line is null)
            {
                _stdoutClosed = true;
            }
            else if (line.StartsWith("ACCEPTED ", StringComparison.Ordinal) && TryParseAccepted(line) is { } accepted)
            {
                _accepted.Add(accepted);
            }
            else
            {
                _stdout.Add(line);
            }

            Monitor.PulseAll(_gate);
        }
    }

    // Runs on the process reader's thread, where an exception would crash the test host; an unparsable line is
    // kept with the other stdout lines instead and shows up in the failure message of the wait that misses it.
    private static SocketHolderAccepted? TryParseAccepted(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<SocketHolderAccepted>(line["ACCEPTED ".Length..], JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.Add(line);
        }
    }

    private string WaitForReady(TimeSpan timeout, string commandLine)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            while (true)
            {
                var index = _stdout.FindIndex(l => l.StartsWith("READY ", StringComparison.Ordinal));
                if (index >= 0)
                {
                    var line = _stdout[index];
                    _stdout.RemoveAt(index);
                    return line["READY ".Length..];
                }

                var left = timeout - clock.Elapsed;
                if (_stdoutClosed || left <= TimeSpan.Zero)
                {
                    break;
                }

                Monitor.Wait(_gate, left);
            }
        }

        // Outside the lock: waiting for the exit lets the stderr reader deliver the holder's last words.
        var exited = _process.WaitForExit(TimeSpan.FromSeconds(2));
        if (exited)
        {
            _process.WaitForExit();
        }

        lock (_gate)
        {
            var why = exited ? $"exited with code {_process.ExitCode} before READY" : $"was not READY within {timeout.TotalSeconds} s";
            throw new InvalidOperationException(
                $"SocketHolder '{commandLine}' {why}.{Environment.NewLine}stderr:{Environment.NewLine}{string.Join(Environment.NewLine, _stderr)}{Environment.NewLine}stdout:{Environment.NewLine}{string.Join(Environment.NewLine, _stdout)}");
        }
    }
}
