using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A test network namespace holding a known mix of real sockets on loopback (IPv4 and IPv6), and
/// ways to sample it through each source.
/// </summary>
public sealed class LiveSockets : IDisposable
{
    public LiveSockets()
    {
        Namespace = new NetworkNamespace();
        // Later connects on loopback may otherwise reuse TIME_WAIT ports and change the counts.
        Namespace.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
        Ipv4 = SocketHolderProcess.Start(Namespace,
            "--ipv4", "--timeout", "120",
            "--listen", "8080", "--established", "8080:3", "--close-wait", "8080:2", "--fin-wait2", "8080:1",
            "--time-wait-server", "8080:2", "--time-wait-client", "9090:1", "--listen-full", "6060:backlog=1:clients=3");
        Ipv6 = SocketHolderProcess.Start(Namespace,
            "--ipv6", "--timeout", "120", "--listen", "8443", "--established", "8443:2", "--close-wait", "8443:1");
    }

    public NetworkNamespace Namespace { get; }

    public SocketHolderProcess Ipv4 { get; }

    public SocketHolderProcess Ipv6 { get; }

    /// <summary>One sample through netlink, from a thread inside the namespace.</summary>
    public SocketSnapshot SampleNetlink() => Namespace.RunInside(() =>
    {
        using var reader = InetDiagReader.Open();
        return new SocketSampler(reader, [], 1000, TimeProvider.System).Sample();
    });

    /// <summary>One sample through /proc: /proc/PID/net is the table of that process's namespace.</summary>
    public SocketSnapshot SampleProc()
    {
        using var reader = new ProcNetTcpReader($"/proc/{Ipv4.Pid}");
        return new SocketSampler(reader, [], 1000, TimeProvider.System).Sample();
    }

    /// <summary>ss -tan's count per state label, in <see cref="StateLabel"/> order.</summary>
    public long[] SsCounts()
    {
        var byState = SsOutput.CaptureAll(Namespace).CountByState();
        var counts = new long[StateLabel.Count];
        foreach (var (state, count) in byState) counts[StateLabel.IndexOf(state)] += count;
        return counts;
    }

    public void Dispose()
    {
        Ipv6.Dispose();
        Ipv4.Dispose();
        Namespace.Dispose();
    }
}
