namespace TcpState.MicroBenchmarks;

/// <summary>The tests' kernel captures, copied next to the benchmark (see the csproj).</summary>
internal static class Fixtures
{
    /// <summary>The sequence number the netlink captures were made with (tests/TcpState.Tests/Fixtures/README.md).</summary>
    public const uint NetlinkSequence = 123456;

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
