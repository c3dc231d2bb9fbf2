using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Core;

/// <summary>Ephemeral ports held per destination, on real connections in a namespace with a small range.</summary>
public sealed class EphemeralPortLiveTests : IDisposable
{
    private readonly NetworkNamespace _ns = new();

    [Fact]
    public void Sample_ManyConnectionsToOneDestination_CountsTheirPortsAgainstTheRange()
    {
        // 1,000 ports, 100 of them reserved: 900 usable.
        _ns.WriteSysctl("net.ipv4.ip_local_port_range", "40000 40999");
        _ns.WriteSysctl("net.ipv4.ip_local_reserved_ports", "40000-40099");
        _ns.WriteSysctl("net.ipv4.tcp_tw_reuse", "0");
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "8080", "--listen", "9090",
            "--established", "8080:300", "--time-wait-client", "8080:150", "--established", "9090:20");

        var snapshot = Sample();

        Assert.Equal(new PortRange(40000, 40999, 100), snapshot.PortRange);
        Assert.Equal(900, snapshot.PortRange!.Usable);
        var busiest = snapshot.Destinations[0];
        Assert.Equal(("127.0.0.1", 8080, 450L, 150L), (busiest.Address, busiest.Port, busiest.PortsInUse, busiest.TimeWait));
        Assert.Equal(("127.0.0.1", 9090, 20L), (snapshot.Destinations[1].Address, snapshot.Destinations[1].Port, snapshot.Destinations[1].PortsInUse));
        // The server ends (local port 8080, a listener) hold no ephemeral port.
        Assert.Equal(2, snapshot.Destinations.Count);
    }

    [Fact]
    public void Sample_TopDestinations_IsBounded()
    {
        using var holder = SocketHolderProcess.Start(_ns, "--listen", "7001", "--listen", "7002", "--listen", "7003",
            "--established", "7001:3", "--established", "7002:2", "--established", "7003:1");

        var snapshot = Sample(topDestinations: 2);

        Assert.Equal([7001, 7002], snapshot.Destinations.Select(d => d.Port));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("8080,40000-40099", 100)]
    [InlineData("1-65535", 1000)]
    [InlineData("50000-50010", 0)]
    public void CountReserved_List_CountsOnlyPortsInsideTheRange(string reserved, int expected) =>
        Assert.Equal(expected, PortRangeReader.CountReserved(reserved, 40000, 40999));

    private SocketSnapshot Sample(int topDestinations = 10)
    {
        using var reader = _ns.RunInside(InetDiagReader.Open);
        // /proc/sys/net shows the network namespace of the thread that opens it.
        var range = _ns.RunInside(() => new PortRangeReader("/proc").Read());
        return new SocketSampler(reader, [], 1000, TimeProvider.System, portRange: () => range, topDestinations: topDestinations).Sample();
    }

    public void Dispose() => _ns.Dispose();
}
