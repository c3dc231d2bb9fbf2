using TcpState.Exposition;
using Xunit;
using static TcpState.Tests.Exposition.SampleMetricFamilies;

namespace TcpState.Tests.Exposition;

public sealed class MetricFamilyTests
{
    [Fact]
    public void Constructor_CounterNameWithTotal_StoresNameWithoutTotal() =>
        Assert.Equal("requests", new MetricFamily("requests_total", MetricFamilyType.Counter, null, null, []).Name);

    [Fact]
    public void Constructor_GaugeNameWithTotal_KeepsName() =>
        Assert.Equal("requests_total", new MetricFamily("requests_total", MetricFamilyType.Gauge, null, null, []).Name);

    [Theory]
    [InlineData("has space")]
    [InlineData("9starts_with_digit")]
    [InlineData("dotted.name")]
    [InlineData("")]
    public void Constructor_InvalidName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => new MetricFamily(name, MetricFamilyType.Gauge, null, null, []));

    [Fact]
    public void Constructor_HistogramSampleInGaugeFamily_Throws() =>
        Assert.Throws<ArgumentException>(() => new MetricFamily(
            "m", MetricFamilyType.Gauge, null, null, [new MetricSample([], new MetricHistogram([], 0, 0))]));

    [Fact]
    public void Constructor_DuplicateLabelSets_KeepsFirstAndCountsDropped()
    {
        var family = new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(1, ("a", "x")), Sample(2), Sample(3, ("a", "x"))]);

        Assert.Equal(2, family.Samples.Count);
        Assert.Equal(1, family.Samples[1].Value);
        Assert.Equal(1, family.DroppedDuplicateSampleCount);
    }

    [Fact]
    public void Constructor_LabelValuesEqualAfterSurrogateRepair_KeepsOneSeries()
    {
        // Both lone surrogates become U+FFFD on the wire, so they would otherwise be two identical series.
        var family = new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(1, ("v", "x\uD800")), Sample(2, ("v", "x\uDBFF"))]);

        Assert.Single(family.Samples);
        Assert.Equal(1, family.DroppedDuplicateSampleCount);
    }

    [Fact]
    public void MetricLabel_ValueWithLoneSurrogates_ReplacesThemWithReplacementCharacter()
    {
        // Not a theory: attribute arguments cannot carry lone surrogates intact.
        (string Value, string Expected)[] cases =
        [
            ("plain", "plain"),
            ("pair \uD83D\uDE00", "pair \uD83D\uDE00"),
            ("high \uD83D", "high \uFFFD"),
            ("\uDE00 low first", "\uFFFD low first"),
            ("\uDE00\uD83D", "\uFFFD\uFFFD"),
        ];

        foreach (var (value, expected) in cases)
        {
            Assert.Equal(expected, new MetricLabel("v", value).Value);
        }
    }

    [Fact]
    public void MetricSample_LabelsInAnyOrder_AreSortedByName()
    {
        var sample = Sample(1, ("zone", "z"), ("app", "a"));

        Assert.Equal(["app", "zone"], [sample.Labels[0].Name, sample.Labels[1].Name]);
    }

    [Fact]
    public void MetricHistogram_DescendingBounds_Throws() =>
        Assert.Throws<ArgumentException>(() => new MetricHistogram([new(1, 1), new(0.5, 2)], 0, 2));
}
