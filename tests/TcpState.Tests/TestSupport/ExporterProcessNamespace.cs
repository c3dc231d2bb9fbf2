using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>Starting the exporter inside a test namespace with extra environment variables (the OTLP push's OTEL_*).</summary>
public sealed partial class ExporterProcess
{
    /// <summary>
    /// Starts the exporter on 127.0.0.1:<paramref name="port"/> inside <paramref name="ns"/> with
    /// <paramref name="environment"/> added (through env(1), which ip netns exec runs), and waits until /healthz answers 200.
    /// </summary>
    public static ExporterProcess StartInNamespace(NetworkNamespace ns, int port, IReadOnlyDictionary<string, string> environment, params string[] extraArguments)
    {
        string[] arguments = [.. environment.Select(e => $"{e.Key}={e.Value}"), ExecutablePath, $"--web.listen-address=127.0.0.1:{port}", .. extraArguments];
        return WaitUntilHealthy(new ExporterProcess(ns, port, ns.Start("env", arguments)));
    }
}
