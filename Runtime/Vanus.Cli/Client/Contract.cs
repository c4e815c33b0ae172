using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vanus.Cli.Client;

/// <summary>The body of <c>POST /api/v1/tokens</c>.</summary>
internal sealed record CreateTokenRequest(string Name, IReadOnlyList<string> Roles, string? Expires);

/// <summary>A token as the node describes it; <see cref="Token"/> (the secret) only in the answer to create.</summary>
internal sealed class TokenDocument
{
    public string? Name { get; set; }

    public string? Token { get; set; }

    public List<string>? Roles { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? Expires { get; set; }
}

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

/// <summary>
/// A subscription as the node describes it: the document of DESIGN §6 plus its status. Members of the document the CLI
/// only prints (filters, transformer, delivery …) are kept as raw JSON, in the order the node sent them.
/// </summary>
internal sealed class SubscriptionDocument
{
    /// <summary>The members the node adds to the document; they are not part of what create and update send.</summary>
    public static readonly IReadOnlySet<string> StatusMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "namespace", "state", "createdAt", "delivered", "failed", "deadLettered", "dropped", "lastError", "eventlogs",
    };

    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Eventbus { get; set; }

    public string? Sink { get; set; }

    public string? State { get; set; }

    public string? CreatedAt { get; set; }

    public long? Delivered { get; set; }

    public long? Failed { get; set; }

    public long? DeadLettered { get; set; }

    public long? Dropped { get; set; }

    public SinkErrorDocument? LastError { get; set; }

    public List<TriggerDocument>? Eventlogs { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>A subscription's progress on one eventlog: committed offset, the eventlog's next offset, lag and counts.</summary>
internal sealed class TriggerDocument
{
    public int Eventlog { get; set; }

    public long Committed { get; set; }

    public long Next { get; set; }

    public long Lag { get; set; }

    public long Delivered { get; set; }

    public long Failed { get; set; }

    public long DeadLettered { get; set; }

    public long Dropped { get; set; }

    public long PendingRetries { get; set; }

    public SinkErrorDocument? LastError { get; set; }
}

/// <summary>The last failure of a sink: what went wrong and when.</summary>
internal sealed class SinkErrorDocument
{
    public string? Message { get; set; }

    public string? Time { get; set; }
}

/// <summary>The answer of <c>POST .../subscriptions/{name}/validate</c>: whether the filter passed, what would be delivered, or where the pipeline failed.</summary>
internal sealed class ValidationDocument
{
    public bool? FilterPassed { get; set; }

    public bool? Delivered { get; set; }

    public List<JsonElement>? Events { get; set; }

    public ValidationErrorDocument? Error { get; set; }
}

/// <summary>Where a dry run failed: the transformer action and its index in the pipeline, the reason and the message.</summary>
internal sealed class ValidationErrorDocument
{
    public string? Action { get; set; }

    public int? PipelineIndex { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }
}

/// <summary>The answer of <c>POST .../deadletters/resend</c>.</summary>
internal sealed class ResendReply
{
    public long? Resent { get; set; }
}

/// <summary>The body of <c>POST .../deadletters/resend</c>: every dead letter when empty, else those of one dead-letter eventlog (optionally an offset range).</summary>
internal sealed record ResendRequest(int? Eventlog, long? From, long? To);

/// <summary>The body of <c>POST .../subscriptions/{name}/reset</c>.</summary>
internal sealed record ResetRequest(string Time);

/// <summary>Source-generated (reflection-free) JSON for the contract's documents, camelCase and case-insensitive on read.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateEventbusRequest))]
[JsonSerializable(typeof(EventbusDocument))]
[JsonSerializable(typeof(List<EventbusDocument>))]
[JsonSerializable(typeof(IngestReply))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(SubscriptionDocument))]
[JsonSerializable(typeof(List<SubscriptionDocument>))]
[JsonSerializable(typeof(ValidationDocument))]
[JsonSerializable(typeof(ResendReply))]
[JsonSerializable(typeof(ResendRequest))]
[JsonSerializable(typeof(ResetRequest))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(TokenDocument))]
[JsonSerializable(typeof(List<TokenDocument>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
