using TcpState.Exporter.Metrics;

namespace TcpState.Tests.Exporter;

/// <summary>
/// The shared array pool's size the exporter sets for itself before the runtime reads it. Its effect
/// (no 64 KiB array allocated per uncompressed scrape under wrk) is measured by bench/run.sh.
/// </summary>
public sealed class SharedArrayPoolCapacityTests : IDisposable
{
    private readonly string? _before = Environment.GetEnvironmentVariable(SharedArrayPoolCapacity.Variable);

    [Fact]
    public void Apply_VariableUnset_SetsSixtyFour()
    {
        Environment.SetEnvironmentVariable(SharedArrayPoolCapacity.Variable, null);

        Assert.True(SharedArrayPoolCapacity.Apply());
        Assert.Equal("64", Environment.GetEnvironmentVariable(SharedArrayPoolCapacity.Variable));
    }

    [Fact]
    public void Apply_OperatorsValue_IsLeftAlone()
    {
        Environment.SetEnvironmentVariable(SharedArrayPoolCapacity.Variable, "300");

        Assert.False(SharedArrayPoolCapacity.Apply());
        Assert.Equal("300", Environment.GetEnvironmentVariable(SharedArrayPoolCapacity.Variable));
    }

    public void Dispose() => Environment.SetEnvironmentVariable(SharedArrayPoolCapacity.Variable, _before);
}
