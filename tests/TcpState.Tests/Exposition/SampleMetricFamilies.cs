using TcpState.Exposition;

namespace TcpState.Tests.Exposition;

/// <summary>Families that exercise every serializer rule at once, given deliberately out of order.</summary>
internal static class SampleMetricFamilies
{
    public static IReadOnlyList<MetricFamily> KitchenSink() =>
    [
        new MetricFamily(
            "tcpstate_sockets",
            MetricFamilyType.Gauge,
            "Sockets by state.\nSecond line with a backslash \\ here.",
            null,
            [
                Sample(12, ("state", "TIME_WAIT")),
                Sample(3, ("state", "ESTABLISHED")),
                Sample(1, ("state", "LISTEN")),
            ]),
        new MetricFamily("tcpstate_scrapes_total", MetricFamilyType.Counter, "Scrapes served.", null, [Sample(42)]),
        new MetricFamily(
            "tcpstate_escapes",
            MetricFamilyType.Gauge,
            "Label values with backslash \\, quote \" and newline.",
            null,
            [
                Sample(
                    1,
                    ("path", "C:\\dir\\file"),
                    ("quote", "say \"hi\""),
                    ("text", "line1\nline2"),
                    ("unicode", "h\u00e9llo \u2713 \uD83D\uDE00"),
                    ("lone_surrogate", "a\uD800b")),
            ]),
        new MetricFamily(
            "tcpstate_special_values",
            MetricFamilyType.Gauge,
            "Numbers in invariant shortest round-trip form.",
            null,
            [
                Sample(double.NaN, ("case", "nan")),
                Sample(double.PositiveInfinity, ("case", "positive_infinity")),
                Sample(double.NegativeInfinity, ("case", "negative_infinity")),
                Sample(3.0, ("case", "integer")),
                Sample(-42.0, ("case", "negative_integer")),
                Sample(1e20, ("case", "large")),
                Sample(1.5e-7, ("case", "small")),
                Sample(0.1, ("case", "fraction")),
                Sample(9007199254740991, ("case", "max_safe_integer")),
            ]),
        new MetricFamily(
            "tcpstate_sample_duration_seconds",
            MetricFamilyType.Histogram,
            "Duration of one kernel sample.",
            "seconds",
            [
                new MetricSample(
                    [new MetricLabel("source", "proc")],
                    new MetricHistogram([new(0.005, 1), new(0.01, 1), new(1, 2)], 0.75, 3)),
                new MetricSample(
                    [new MetricLabel("source", "netlink")],
                    new MetricHistogram([new(0.005, 1), new(0.01, 3), new(0.1, 4), new(1, 5), new(double.PositiveInfinity, 6)], 1.234, 6)),
            ]),
        new MetricFamily("tcpstate_received_bytes", MetricFamilyType.Counter, "Bytes received.", "bytes", [Sample(1024, ("port", "443"))]),
        new MetricFamily("tcpstate_unit_not_in_name", MetricFamilyType.Gauge, "The unit is not a suffix, so no UNIT line.", "seconds", [Sample(5)]),
        new MetricFamily(
            "a_sanitized_labels",
            MetricFamilyType.Gauge,
            "Label names are sanitized; colliding names are joined in original-name order.",
            null,
            [Sample(1, ("otel.metric.overflow", "true"), ("9lives", "x"), ("a_b", "second"), ("a.b", "first"))]),
    ];

    public static MetricSample Sample(double value, params (string Name, string Value)[] labels)
    {
        var list = new MetricLabel[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            list[i] = new MetricLabel(labels[i].Name, labels[i].Value);
        }

        return new MetricSample(list, value);
    }
}
