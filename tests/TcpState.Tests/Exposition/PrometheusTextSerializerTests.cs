using System.Buffers;
using System.Text;
using TcpState.Exposition;
using Xunit;
using static TcpState.Tests.Exposition.SampleMetricFamilies;

namespace TcpState.Tests.Exposition;

public sealed class PrometheusTextSerializerTests
{
    [Fact]
    public void Serialize_KitchenSinkAsPrometheusText_MatchesSnapshot() =>
        SnapshotAssert.Matches(
            "KitchenSink.prometheus",
            PrometheusTextSerializer.Serialize(KitchenSink(), ExpositionFormat.PrometheusText));

    [Fact]
    public void Serialize_KitchenSinkAsOpenMetrics_MatchesSnapshot() =>
        SnapshotAssert.Matches(
            "KitchenSink.openmetrics",
            PrometheusTextSerializer.Serialize(KitchenSink(), ExpositionFormat.OpenMetrics));

    [Fact]
    public void Serialize_LabelValueWithBackslashQuoteAndNewline_EscapesEach()
    {
        var family = new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(1, ("v", "a\\b\"c\nd"))]);

        Assert.Equal(
            """
            # TYPE m gauge
            m{v="a\\b\"c\nd"} 1

            """,
            Text([family], ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_HelpWithBackslashNewlineAndQuote_EscapesPerFormat()
    {
        var family = new MetricFamily("m", MetricFamilyType.Gauge, "a\\b\nc \"q\"", null, [Sample(1)]);

        // 0.0.4 HELP escapes backslash and newline only; OpenMetrics also escapes the quote.
        Assert.StartsWith("# HELP m a\\\\b\\nc \"q\"\n", Text([family], ExpositionFormat.PrometheusText), StringComparison.Ordinal);
        Assert.StartsWith("# HELP m a\\\\b\\nc \\\"q\\\"\n", Text([family], ExpositionFormat.OpenMetrics), StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_FamiliesOutOfOrder_WritesThemSortedByName()
    {
        MetricFamily[] families =
        [
            new("zeta", MetricFamilyType.Gauge, null, null, [Sample(1)]),
            new("alpha", MetricFamilyType.Gauge, null, null, [Sample(2)]),
            new("Mixed", MetricFamilyType.Gauge, null, null, [Sample(3)]),
        ];

        Assert.Equal(
            """
            # TYPE Mixed gauge
            Mixed 3
            # TYPE alpha gauge
            alpha 2
            # TYPE zeta gauge
            zeta 1

            """,
            Text(families, ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_SamplesOutOfOrder_WritesThemSortedByLabelSet()
    {
        var family = new MetricFamily(
            "m",
            MetricFamilyType.Gauge,
            "Help.",
            null,
            [Sample(3, ("port", "80"), ("state", "b")), Sample(1), Sample(2, ("port", "443")), Sample(4, ("port", "80"), ("state", "a"))]);

        Assert.Equal(
            """
            # HELP m Help.
            # TYPE m gauge
            m 1
            m{port="443"} 2
            m{port="80",state="a"} 4
            m{port="80",state="b"} 3

            """,
            Text([family], ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_FamilyWithManySamples_WritesHelpAndTypeOnce()
    {
        var samples = new List<MetricSample>();
        for (var port = 0; port < 50; port++)
        {
            samples.Add(Sample(port, ("port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var text = Text([new MetricFamily("m", MetricFamilyType.Counter, "Help.", null, samples)], ExpositionFormat.PrometheusText);

        Assert.Equal(1, CountLines(text, "# HELP "));
        Assert.Equal(1, CountLines(text, "# TYPE "));
        Assert.Equal(50, CountLines(text, "m_total{"));
    }

    [Fact]
    public void Serialize_DuplicateFamilyNames_WritesOnlyTheFirst()
    {
        MetricFamily[] families =
        [
            new("m", MetricFamilyType.Gauge, "First.", null, [Sample(1)]),
            new("m", MetricFamilyType.Histogram, "Second.", null, [new MetricSample([], new MetricHistogram([], 0, 0))]),
        ];

        Assert.Equal(
            """
            # HELP m First.
            # TYPE m gauge
            m 1

            """,
            Text(families, ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_CounterAsPrometheusText_NamesMetadataAndSamplesWithTotal()
    {
        var family = new MetricFamily("requests", MetricFamilyType.Counter, "Requests.", null, [Sample(7)]);

        Assert.Equal(
            """
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total 7

            """,
            Text([family], ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_CounterAsOpenMetrics_NamesFamilyWithoutTotalAndSamplesWithTotal()
    {
        var family = new MetricFamily("requests_total", MetricFamilyType.Counter, "Requests.", null, [Sample(7)]);

        Assert.Equal(
            """
            # HELP requests Requests.
            # TYPE requests counter
            requests_total 7
            # EOF

            """,
            Text([family], ExpositionFormat.OpenMetrics));
    }

    [Fact]
    public void Serialize_OpenMetricsWithUnitSuffix_WritesUnitLine()
    {
        MetricFamily[] families =
        [
            new("rtt_seconds", MetricFamilyType.Gauge, null, "seconds", [Sample(0.25)]),
            new("sent_bytes", MetricFamilyType.Counter, null, "bytes", [Sample(10)]),
            new("elapsed", MetricFamilyType.Gauge, null, "seconds", [Sample(1)]),
        ];

        Assert.Equal(
            """
            # TYPE elapsed gauge
            elapsed 1
            # TYPE rtt_seconds gauge
            # UNIT rtt_seconds seconds
            rtt_seconds 0.25
            # TYPE sent_bytes counter
            # UNIT sent_bytes bytes
            sent_bytes_total 10
            # EOF

            """,
            Text(families, ExpositionFormat.OpenMetrics));
    }

    [Fact]
    public void Serialize_PrometheusTextWithUnit_WritesNoUnitLine()
    {
        var family = new MetricFamily("rtt_seconds", MetricFamilyType.Gauge, null, "seconds", [Sample(0.25)]);

        Assert.DoesNotContain("# UNIT", Text([family], ExpositionFormat.PrometheusText), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(3.0, "3")]
    [InlineData(-7.0, "-7")]
    [InlineData(0.0, "0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3.0, "0.3333333333333333")]
    [InlineData(123456789012.0, "123456789012")]
    [InlineData(1e20, "1E+20")]
    [InlineData(2.5e-7, "2.5E-07")]
    public void Serialize_SampleValue_UsesInvariantShortestRoundTripForm(double value, string expected)
    {
        var text = Text([new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(value)])], ExpositionFormat.PrometheusText);

        Assert.Equal($"# TYPE m gauge\nm {expected}\n", text);
    }

    [Fact]
    public void Serialize_Histogram_WritesCumulativeBucketsWithCanonicalBoundsThenSumAndCount()
    {
        var family = new MetricFamily(
            "latency_seconds",
            MetricFamilyType.Histogram,
            null,
            "seconds",
            [new MetricSample([new MetricLabel("le", "dropped"), new MetricLabel("op", "read")], new MetricHistogram([new(0, 1), new(0.5, 2), new(2, 4)], 3.5, 5))]);

        Assert.Equal(
            """
            # TYPE latency_seconds histogram
            latency_seconds_bucket{op="read",le="0.0"} 1
            latency_seconds_bucket{op="read",le="0.5"} 2
            latency_seconds_bucket{op="read",le="2.0"} 4
            latency_seconds_bucket{op="read",le="+Inf"} 5
            latency_seconds_sum{op="read"} 3.5
            latency_seconds_count{op="read"} 5

            """,
            Text([family], ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_OpenMetricsHistogramWithNegativeBound_OmitsSumAndCount()
    {
        var family = new MetricFamily(
            "offset",
            MetricFamilyType.Histogram,
            null,
            null,
            [new MetricSample([], new MetricHistogram([new(-1, 1), new(1, 2)], -0.5, 2))]);

        Assert.Equal(
            """
            # TYPE offset histogram
            offset_bucket{le="-1.0"} 1
            offset_bucket{le="1.0"} 2
            offset_bucket{le="+Inf"} 2
            # EOF

            """,
            Text([family], ExpositionFormat.OpenMetrics));
    }

    [Fact]
    public void Serialize_FamilyWithoutHelp_OmitsHelpLine()
    {
        var family = new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(0)]);

        Assert.Equal("# TYPE m gauge\nm 0\n", Text([family], ExpositionFormat.PrometheusText));
    }

    [Fact]
    public void Serialize_NoFamilies_WritesEmptyTextOrOnlyEof()
    {
        Assert.Equal(string.Empty, Text([], ExpositionFormat.PrometheusText));
        Assert.Equal("# EOF\n", Text([], ExpositionFormat.OpenMetrics));
    }

    [Fact]
    public void Serialize_LoneSurrogatesAndNonAscii_ProducesValidUtf8()
    {
        var family = new MetricFamily("m", MetricFamilyType.Gauge, "help \uDC00", null, [Sample(1, ("v", "\uD800 \u00e9 \uD83D\uDE00 \uDBFF"))]);

        var bytes = PrometheusTextSerializer.Serialize([family], ExpositionFormat.OpenMetrics);

        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        Assert.Equal(
            "# HELP m help \uFFFD\n# TYPE m gauge\nm{v=\"\uFFFD \u00e9 \uD83D\uDE00 \uFFFD\"} 1\n# EOF\n",
            strict.GetString(bytes));
    }

    [Fact]
    public void Write_LongLabelValueAcrossBufferChunks_KeepsSurrogatePairsIntact()
    {
        // 5000 emoji are 10000 UTF-16 chars, far beyond the writer's 1024-char encoding slices.
        var value = string.Concat(Enumerable.Repeat("\uD83D\uDE00", 5000));
        var family = new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(1, ("v", value))]);
        var buffer = new ArrayBufferWriter<byte>(1);

        PrometheusTextSerializer.Write(buffer, [family], ExpositionFormat.PrometheusText);

        Assert.Equal($"# TYPE m gauge\nm{{v=\"{value}\"}} 1\n", new UTF8Encoding(false, true).GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Serialize_RandomLabelValues_UnescapeBackToTheirUtf8RoundTrip()
    {
        // Property-style check with a fixed seed: escaping is reversible and never emits a raw newline.
        var random = new Random(20250101);
        char[] alphabet = ['a', 'Z', '0', ' ', '\\', '"', '\n', '\r', '\t', '{', '}', '=', ',', '\u00e9', '\u2713', '\uD83D', '\uDE00', '\uDBFF', '\uFFFF', '\0'];
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var value = new string(chars);
            var text = Text([new MetricFamily("m", MetricFamilyType.Gauge, null, null, [Sample(1, ("v", value))])], ExpositionFormat.PrometheusText);

            const string Prefix = "# TYPE m gauge\nm{v=\"";
            const string Suffix = "\"} 1\n";
            Assert.StartsWith(Prefix, text, StringComparison.Ordinal);
            Assert.EndsWith(Suffix, text, StringComparison.Ordinal);
            var escaped = text[Prefix.Length..^Suffix.Length];
            Assert.DoesNotContain('\n', escaped);
            Assert.Equal(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value)), Unescape(escaped));
        }
    }

    [Fact]
    public void GetContentType_EachFormat_ReturnsVersionedContentType()
    {
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusTextSerializer.GetContentType(ExpositionFormat.PrometheusText));
        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", PrometheusTextSerializer.GetContentType(ExpositionFormat.OpenMetrics));
    }

    private static string Text(IReadOnlyList<MetricFamily> families, ExpositionFormat format) =>
        Encoding.UTF8.GetString(PrometheusTextSerializer.Serialize(families, format));

    private static string Unescape(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '\\')
            {
                Assert.NotEqual('"', escaped[i]);
                builder.Append(escaped[i]);
                continue;
            }

            builder.Append(escaped[++i] switch
            {
                'n' => '\n',
                '"' => '"',
                '\\' => '\\',
                var other => throw new InvalidOperationException($"Unexpected escape \\{other}."),
            });
        }

        return builder.ToString();
    }

    private static int CountLines(string text, string prefix)
    {
        var count = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
