using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Http;

/// <summary>One RFC 9457 problem document before it is written: the kind, the detail and the extension members that apply.</summary>
internal sealed record Problem(ProblemKind Kind, string Detail)
{
    /// <summary>Zero-based index of the event at fault inside a batch.</summary>
    public int? EventIndex { get; init; }

    /// <summary>The CloudEvent attribute at fault.</summary>
    public string? Attribute { get; init; }

    /// <summary>The rule the attribute or event breaks.</summary>
    public string? Rule { get; init; }

    /// <summary>The document field (JSON path) or query parameter at fault.</summary>
    public string? Field { get; init; }

    /// <summary>Why the field is refused.</summary>
    public string? Reason { get; init; }

    /// <summary>The size limit that was exceeded, in bytes.</summary>
    public long? Limit { get; init; }

    /// <summary>Events of the request that were stored before a failure (503 or 507 after validation).</summary>
    public IReadOnlyList<AppendedEvent>? Stored { get; init; }

    public static Problem FromFormat(CloudEventFormatException e, bool batch) => new(ProblemKind.InvalidEvent, e.Message)
    {
        EventIndex = batch ? e.Index : null,
        Attribute = e.Attribute,
        Rule = e.Rule,
    };

    public static Problem ForField(ProblemKind kind, string? field, string reason) =>
        new(kind, field is null ? $"The document {reason}." : $"'{field}' {reason}.") { Field = field, Reason = reason };

    public static Problem FromBroker(BrokerException e) => new(Map(e.Kind), e.Message)
    {
        Field = e.Field,
        Stored = e.Kind is BrokerErrorKind.Unavailable or BrokerErrorKind.InsufficientStorage ? e.Stored : null,
    };

    private static ProblemKind Map(BrokerErrorKind kind) => kind switch
    {
        BrokerErrorKind.NotFound => ProblemKind.NotFound,
        BrokerErrorKind.AlreadyExists => ProblemKind.AlreadyExists,
        BrokerErrorKind.Invalid => ProblemKind.InvalidRequest,
        BrokerErrorKind.Overloaded => ProblemKind.Overloaded,
        BrokerErrorKind.Unavailable => ProblemKind.Unavailable,
        BrokerErrorKind.InsufficientStorage => ProblemKind.InsufficientStorage,
        _ => ProblemKind.Internal,
    };
}
