namespace TcpState.Tests.Fuzz;

/// <summary>The real kernel captures the mutating generators start from (tests/TcpState.Tests/Fixtures).</summary>
/// <param name="NetlinkCaptures">Reply datagrams and the sequence number they answer.</param>
/// <param name="ProcTcp">A real /proc/net/tcp.</param>
/// <param name="ProcTcp6">A real /proc/net/tcp6.</param>
public sealed record FuzzInputs(IReadOnlyList<(byte[] Bytes, uint Sequence)> NetlinkCaptures, byte[] ProcTcp, byte[] ProcTcp6)
{
    /// <summary>The sequence number capture.py asked for (see Fixtures/README.md).</summary>
    public const uint CaptureSequence = 123456;

    /// <summary>Loads the captures from the fixtures folder.</summary>
    public static FuzzInputs FromDirectory(string fixtures)
    {
        string[] netlink = ["netlink-inet.bin", "netlink-inet6.bin", "netlink-listen-inet.bin", "netlink-listen-inet6.bin", "netlink-truncated.bin"];
        return new FuzzInputs(
            netlink.Select(name => (File.ReadAllBytes(Path.Combine(fixtures, name)), CaptureSequence)).ToList(),
            File.ReadAllBytes(Path.Combine(fixtures, "proc-net-tcp.txt")),
            File.ReadAllBytes(Path.Combine(fixtures, "proc-net-tcp6.txt")));
    }
}
