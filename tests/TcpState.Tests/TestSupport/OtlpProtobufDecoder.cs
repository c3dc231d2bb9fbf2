namespace TcpState.Tests.TestSupport;

/// <summary>
/// Decodes the parts of an OTLP ExportMetricsServiceRequest the tests check, following
/// opentelemetry-proto (collector/metrics/v1, metrics/v1, resource/v1, common/v1). Histograms,
/// summaries and exemplars are skipped.
/// </summary>
public static class OtlpProtobufDecoder
{
    public static OtlpExportRequest Decode(ReadOnlySpan<byte> body, string path, string contentType, IReadOnlyDictionary<string, string> headers)
    {
        var resource = new Dictionary<string, object?>(StringComparer.Ordinal);
        var metrics = new List<OtlpMetric>();
        var reader = new ProtobufReader(body);
        while (reader.TryReadTag(out var field, out var wire))
        {
            // ExportMetricsServiceRequest.resource_metrics = 1
            if (field == 1 && wire == ProtobufReader.LengthDelimited) ReadResourceMetrics(reader.ReadBytes(), resource, metrics);
            else reader.Skip(wire);
        }

        return new OtlpExportRequest(path, contentType, headers, resource, metrics);
    }

    private static void ReadResourceMetrics(ReadOnlySpan<byte> data, Dictionary<string, object?> resource, List<OtlpMetric> metrics)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == ProtobufReader.LengthDelimited:
                    // Resource.attributes = 1
                    var resourceReader = new ProtobufReader(reader.ReadBytes());
                    while (resourceReader.TryReadTag(out var f, out var w))
                    {
                        if (f == 1 && w == ProtobufReader.LengthDelimited) ReadKeyValue(resourceReader.ReadBytes(), resource);
                        else resourceReader.Skip(w);
                    }

                    break;
                case 2 when wire == ProtobufReader.LengthDelimited:
                    ReadScopeMetrics(reader.ReadBytes(), metrics);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
    }

    private static void ReadScopeMetrics(ReadOnlySpan<byte> data, List<OtlpMetric> metrics)
    {
        string scope = "", version = "";
        var raw = new List<byte[]>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtobufReader.LengthDelimited)
            {
                // InstrumentationScope: name = 1, version = 2
                var scopeReader = new ProtobufReader(reader.ReadBytes());
                while (scopeReader.TryReadTag(out var f, out var w))
                {
                    if (f == 1 && w == ProtobufReader.LengthDelimited) scope = scopeReader.ReadString();
                    else if (f == 2 && w == ProtobufReader.LengthDelimited) version = scopeReader.ReadString();
                    else scopeReader.Skip(w);
                }
            }
            else if (field == 2 && wire == ProtobufReader.LengthDelimited)
            {
                raw.Add(reader.ReadBytes().ToArray());
            }
            else
            {
                reader.Skip(wire);
            }
        }

        // The scope may follow the metrics on the wire; decode them once it is known.
        foreach (var metric in raw) metrics.Add(ReadMetric(metric, scope, version));
    }

    private static OtlpMetric ReadMetric(ReadOnlySpan<byte> data, string scope, string version)
    {
        string name = "", unit = "";
        var kind = OtlpMetricKind.Other;
        var temporality = 0;
        var monotonic = false;
        var points = new List<OtlpDataPoint>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == ProtobufReader.LengthDelimited: name = reader.ReadString(); break;
                case 3 when wire == ProtobufReader.LengthDelimited: unit = reader.ReadString(); break;
                case 5 when wire == ProtobufReader.LengthDelimited:
                    // Gauge.data_points = 1
                    kind = OtlpMetricKind.Gauge;
                    var gauge = new ProtobufReader(reader.ReadBytes());
                    while (gauge.TryReadTag(out var f, out var w))
                    {
                        if (f == 1 && w == ProtobufReader.LengthDelimited) points.Add(ReadNumberDataPoint(gauge.ReadBytes()));
                        else gauge.Skip(w);
                    }

                    break;
                case 7 when wire == ProtobufReader.LengthDelimited:
                    // Sum: data_points = 1, aggregation_temporality = 2, is_monotonic = 3
                    kind = OtlpMetricKind.Sum;
                    var sum = new ProtobufReader(reader.ReadBytes());
                    while (sum.TryReadTag(out var f, out var w))
                    {
                        if (f == 1 && w == ProtobufReader.LengthDelimited) points.Add(ReadNumberDataPoint(sum.ReadBytes()));
                        else if (f == 2 && w == ProtobufReader.Varint) temporality = (int)sum.ReadVarint();
                        else if (f == 3 && w == ProtobufReader.Varint) monotonic = sum.ReadVarint() != 0;
                        else sum.Skip(w);
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OtlpMetric(scope, version, name, unit, kind, temporality, monotonic, points);
    }

    private static OtlpDataPoint ReadNumberDataPoint(ReadOnlySpan<byte> data)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        double value = 0;
        var isInteger = false;
        ulong start = 0, time = 0;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                // NumberDataPoint: start_time_unix_nano = 2, time_unix_nano = 3 (fixed64),
                // as_double = 4 (double), as_int = 6 (sfixed64), attributes = 7
                case 2 when wire == ProtobufReader.Fixed64: start = reader.ReadFixed64(); break;
                case 3 when wire == ProtobufReader.Fixed64: time = reader.ReadFixed64(); break;
                case 4 when wire == ProtobufReader.Fixed64: value = reader.ReadDouble(); isInteger = false; break;
                case 6 when wire == ProtobufReader.Fixed64: value = (long)reader.ReadFixed64(); isInteger = true; break;
                case 7 when wire == ProtobufReader.LengthDelimited: ReadKeyValue(reader.ReadBytes(), attributes); break;
                default: reader.Skip(wire); break;
            }
        }

        return new OtlpDataPoint(attributes, value, isInteger, start, time);
    }

    private static void ReadKeyValue(ReadOnlySpan<byte> data, Dictionary<string, object?> into)
    {
        // KeyValue: key = 1, value = 2 (AnyValue)
        string key = "";
        object? value = null;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtobufReader.LengthDelimited) key = reader.ReadString();
            else if (field == 2 && wire == ProtobufReader.LengthDelimited) value = ReadAnyValue(reader.ReadBytes());
            else reader.Skip(wire);
        }

        into[key] = value;
    }

    private static object? ReadAnyValue(ReadOnlySpan<byte> data)
    {
        // AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4; arrays, lists and bytes are not needed.
        object? value = null;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == ProtobufReader.LengthDelimited: value = reader.ReadString(); break;
                case 2 when wire == ProtobufReader.Varint: value = reader.ReadVarint() != 0; break;
                case 3 when wire == ProtobufReader.Varint: value = (long)reader.ReadVarint(); break;
                case 4 when wire == ProtobufReader.Fixed64: value = reader.ReadDouble(); break;
                default: reader.Skip(wire); break;
            }
        }

        return value;
    }
}
