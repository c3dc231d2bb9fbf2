using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// The fuzz engine's own oracles must be able to fail: a strict parser that accepted anything, or a
/// promtool batch that lost a refused case, would make every campaign pass.
/// </summary>
public class FuzzEngineTests
{
    [Theory]
    [InlineData("# HELP a_x help\n# TYPE a_x gauge\na_x{l=\"\\t\"} 1\n", "escape")]
    [InlineData("# TYPE a_x gauge\na_x{l=\"v\"} 1", "line feed")]
    [InlineData("# TYPE a_x gauge\na_x{l=\"v} 1\n", "unterminated")]
    [InlineData("# TYPE a_x gauge\n# TYPE a_x gauge\n", "twice")]
    [InlineData("# HELP a_x help\na_x 1\n", "TYPE")]
    [InlineData("# TYPE a_x gauge\na_y 1\n", "inside family")]
    [InlineData("# TYPE a_x gauge\na_x 1.\n", "not a number")]
    [InlineData("# TYPE a_x gauge\na_x{} 1\n", "name")]
    public void Parse_BrokenPrometheusText_IsRefused(string text, string reason)
    {
        var error = Assert.Throws<FuzzPropertyException>(() => StrictExpositionParser.Parse(Encoding.UTF8.GetBytes(text), openMetrics: false));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsRefused()
    {
        byte[] text = [.. "# TYPE a_x gauge\na_x{l=\""u8, 0xC3, 0x28, .. "\"} 1\n"u8];

        var error = Assert.Throws<FuzzPropertyException>(() => StrictExpositionParser.Parse(text, openMetrics: false));

        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OpenMetricsWithoutEof_IsRefused()
    {
        var error = Assert.Throws<FuzzPropertyException>(() => StrictExpositionParser.Parse("# TYPE a_x gauge\na_x 1\n"u8, openMetrics: true));

        Assert.Contains("EOF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EscapedLabelValue_ComesBackUnescaped()
    {
        var families = StrictExpositionParser.Parse("# TYPE a_x gauge\na_x{l=\"q\\\"b\\\\n\\n\u00e9\"} 1\n"u8, openMetrics: false);

        Assert.Equal("q\"b\\n\n\u00e9", Assert.Single(Assert.Single(families).Samples).Labels[0].Value);
    }

    [Fact]
    public void Finish_OneRefusedCaseAmongMany_IsFoundByBisecting()
    {
        using var batch = new PromtoolBatch(casesPerRun: 100, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 13; i++)
        {
            var text = i == 9
                ? $"# HELP fuzz_c{i}_alpha help\n# TYPE fuzz_c{i}_alpha gauge\nfuzz_c{i}_alpha{{__name__=\"x\"}} 1\n"
                : $"# HELP fuzz_c{i}_alpha help\n# TYPE fuzz_c{i}_alpha gauge\nfuzz_c{i}_alpha 1\n";
            Assert.Null(batch.Add(i, Encoding.UTF8.GetBytes(text)));
        }

        var verdict = batch.Finish();

        Assert.NotNull(verdict);
        Assert.Equal(9, verdict.CaseIndex);
        Assert.Contains("reserved", verdict.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseSeed_SameSeedAndIndex_SameStream()
    {
        var first = new FuzzRandom(FuzzRandom.CaseSeed(42, 7));
        var again = new FuzzRandom(FuzzRandom.CaseSeed(42, 7));
        var neighbour = new FuzzRandom(FuzzRandom.CaseSeed(42, 8));

        var a = Enumerable.Range(0, 16).Select(_ => first.NextUInt64()).ToArray();

        Assert.Equal(a, Enumerable.Range(0, 16).Select(_ => again.NextUInt64()).ToArray());
        Assert.NotEqual(a, Enumerable.Range(0, 16).Select(_ => neighbour.NextUInt64()).ToArray());
    }
}
