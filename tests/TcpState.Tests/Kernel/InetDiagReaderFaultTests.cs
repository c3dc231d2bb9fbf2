using TcpState.Core;
using TcpState.Kernel.Netlink;
using TcpState.Tests.TestSupport;
using static TcpState.Tests.TestSupport.ReplayTransport;

namespace TcpState.Tests.Kernel;

/// <summary>The reader and sampler on real captured replies with the faults a kernel can return.</summary>
public class InetDiagReaderFaultTests
{
    private static readonly long[] Expected = FixtureFiles.ExpectedStateCounts("inet").Zip(FixtureFiles.ExpectedStateCounts("inet6"), (a, b) => a + b).ToArray();

    [Fact]
    public void Sample_CleanReplay_CountsMatchTheCapture()
    {
        var snapshot = Sampler(new ReplayTransport(CleanSample), out _).Sample();

        Assert.Equal(Expected, snapshot.StateCounts);
    }

    [Fact]
    public void Sample_ReceiveBufferOverrunOnce_IsRetriedAndCountedByReason()
    {
        var transport = new ReplayTransport([
            Reply.Capture("netlink-listen-inet.bin"), Reply.Capture("netlink-listen-inet6.bin"),
            new Reply("netlink-inet.bin", ReceiveErrno: NetlinkErrors.ENOBUFS),
            .. CleanSample]);

        var snapshot = Sampler(transport, out var retries).Sample();

        Assert.Equal(Expected, snapshot.StateCounts);
        Assert.Equal(["netlink_overrun"], retries);
    }

    [Fact]
    public void Sample_DumpInterruptedOnce_IsRetriedWithoutCountingTwice()
    {
        var transport = new ReplayTransport([
            Reply.Capture("netlink-listen-inet.bin"), Reply.Capture("netlink-listen-inet6.bin"),
            new Reply("netlink-inet.bin", Interrupted: true),
            .. CleanSample]);

        var snapshot = Sampler(transport, out var retries).Sample();

        Assert.Equal(Expected, snapshot.StateCounts);
        Assert.Equal(["dump_interrupted"], retries);
    }

    [Theory]
    [InlineData(NetlinkErrors.EINVAL, "netlink_unsupported")]
    [InlineData(NetlinkErrors.EPERM, "netlink_denied")]
    [InlineData(NetlinkErrors.EOPNOTSUPP, "netlink_unsupported")]
    public void Sample_KernelRefusesTheDump_FailsWithTheReason(int errno, string reason)
    {
        var transport = new ReplayTransport(new Reply(null, NlmsgError: errno));

        var error = Assert.Throws<SocketTableException>(() => Sampler(transport, out _).Sample());

        Assert.Equal(reason, error.Reason);
        Assert.Contains($"errno {errno}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_SendDenied_FailsAsDenied()
    {
        var error = Assert.Throws<SocketTableException>(() => Sampler(new ReplayTransport(new Reply(null, SendErrno: NetlinkErrors.EPERM)), out _).Sample());

        Assert.Equal("netlink_denied", error.Reason);
    }

    [Fact]
    public void Sample_DatagramLargerThanTheBuffer_FailsAsTruncated()
    {
        var error = Assert.Throws<SocketTableException>(() => Sampler(new ReplayTransport(new Reply(null, OversizedDatagram: 70_000)), out _).Sample());

        Assert.Equal("truncated", error.Reason);
    }

    [Fact]
    public void Sample_OverrunOnEveryAttempt_FailsAfterTheLastRetry()
    {
        var overrun = new Reply("netlink-listen-inet.bin", ReceiveErrno: NetlinkErrors.ENOBUFS);

        var error = Assert.Throws<SocketTableException>(() => Sampler(new ReplayTransport(overrun, overrun, overrun), out var retries).Sample());

        Assert.Equal("netlink_overrun", error.Reason);
    }

    private static SocketSampler Sampler(ReplayTransport transport, out List<string> retries)
    {
        var seen = new List<string>();
        retries = seen;
        return new SocketSampler(new InetDiagReader(transport), [], 1000, TimeProvider.System) { Retried = seen.Add };
    }
}
