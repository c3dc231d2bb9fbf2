using System.Diagnostics;
using System.Text;

namespace TcpState.Tests.TestSupport;

/// <summary>A started process whose stdout and stderr are collected in the background; killed on Dispose.</summary>
public sealed class ProcessWithOutput : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ProcessWithOutput(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
