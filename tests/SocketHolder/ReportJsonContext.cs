using System.Text.Json.Serialization;

namespace SocketHolder;

/// <summary>Source-generated serializer, so the output does not depend on reflection or trimming settings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReadyReport))]
[JsonSerializable(typeof(AcceptedReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
