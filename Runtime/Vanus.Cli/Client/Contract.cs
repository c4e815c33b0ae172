using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vanus.Cli.Client;

/// <summary>The body of <c>POST /api/v1/namespaces/{ns}/eventbuses</c>; members left null take the node's defaults.</summary>
internal sealed record CreateEventbusRequest(string Name)
{
    public int? Eventlogs { get; init; }

    public int? Replicas { get; init; }

    public string? Sync { get; init; }

    public RetentionRequest? Retention { get; init; }
}

/// <summary>Retention as DESIGN §6 writes it: <c>{"age":"7d","bytes":"10GB"}</c>.</summary>
internal sealed record RetentionRequest(string? Age, string? Bytes);

/// <summary>An eventbus as the node describes it; members the contract does not fix are kept as raw JSON to print.</summary>
internal sealed class EventbusDocument
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public List<EventlogDocument>? Eventlogs { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>One eventlog: <c>earliest</c> is the first readable offset, <c>next</c> the offset the next event gets.</summary>
internal sealed class EventlogDocument
{
    public int Id { get; set; }

    public long Earliest { get; set; }

    public long Next { get; set; }
}

/// <summary>The answer of ingest: each event's CloudEvent id, server id and placement (or delivery time when held).</summary>
internal sealed class IngestReply
{
    public List<AppendedEventDocument>? Events { get; set; }
}

/// <summary>Where one ingested event went.</summary>
internal sealed class AppendedEventDocument
{
    public string? Id { get; set; }

    public string? EventId { get; set; }

    public int? Eventlog { get; set; }

    public long? Offset { get; set; }

    [JsonPropertyName("deliverytime")]
    public string? DeliveryTime { get; set; }
}

/// <summary>An RFC 9457 problem document; extension members are kept in order to print them all.</summary>
internal sealed class ProblemDocument
{
    public string? Type { get; set; }

    public string? Title { get; set; }

    public int? Status { get; set; }

    public string? Detail { get; set; }

    public string? Instance { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Source-generated (reflection-free) JSON for the contract's documents, camelCase and case-insensitive on read.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateEventbusRequest))]
[JsonSerializable(typeof(EventbusDocument))]
[JsonSerializable(typeof(List<EventbusDocument>))]
[JsonSerializable(typeof(IngestReply))]
[JsonSerializable(typeof(ProblemDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
