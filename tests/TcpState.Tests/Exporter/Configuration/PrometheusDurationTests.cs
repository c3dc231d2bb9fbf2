using TcpState.Exporter.Configuration;

namespace TcpState.Tests.Exporter.Configuration;

public class PrometheusDurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    public void TryParse_ValidDuration_ReturnsMilliseconds(string text, long ms)
    {
        Assert.True(PrometheusDuration.TryParse(text, out var duration));
        Assert.Equal(ms, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("30s1m")]
    [InlineData("10 s")]
    public void TryParse_InvalidDuration_Fails(string text) => Assert.False(PrometheusDuration.TryParse(text, out _));

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(500, "500ms")]
    public void Format_Duration_UsesLargestUnits(long ms, string text) =>
        Assert.Equal(text, PrometheusDuration.Format(TimeSpan.FromMilliseconds(ms)));
}
