using System.Text.Json.Serialization;

namespace TcpState.Exporter.Api;

/// <summary>Source-generated JSON for <see cref="SnapshotDocument"/>: no reflection, so it survives trimming.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(SnapshotDocument))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
