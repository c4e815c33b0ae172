using System.Globalization;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>A namespace: a tenant scope for eventbuses.</summary>
public sealed record NamespaceInfo(string Name, DateTimeOffset CreatedAt);

/// <summary>What a user asks for when creating an eventbus (defaults as DESIGN §6 gives them).</summary>
public sealed record EventbusSpec(string Name)
{
    /// <summary>How many eventlogs (partitions) the bus has, 1..64, fixed at creation.</summary>
    public int Eventlogs { get; init; } = 1;

    /// <summary>How many replicas each eventlog has; more than the cluster's nodes is refused.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>When appended events are forced to disk before the append is acknowledged.</summary>
    public SyncPolicy Sync { get; init; } = SyncPolicy.Interval;

    /// <summary>How long and how much the bus keeps.</summary>
    public RetentionOptions Retention { get; init; } = RetentionOptions.Forever;
}

/// <summary>An eventbus as the catalog holds it, with its eventlogs' current offsets.</summary>
public sealed record EventbusInfo(
    string Namespace,
    string Name,
    SyncPolicy Sync,
    int Replicas,
    RetentionOptions Retention,
    DateTimeOffset CreatedAt,
    string? DeadLetterBus,
    IReadOnlyList<EventlogInfo> Eventlogs);

/// <summary>One eventlog of a bus: <c>Earliest</c> is the first readable offset, <c>Next</c> the offset the next event gets.</summary>
public sealed record EventlogInfo(int Id, long Earliest, long Next)
{
    /// <summary>The node whose replica leads the eventlog (a replicated one), or null.</summary>
    public string? Leader { get; init; }

    /// <summary>The leader's epoch (a replicated eventlog), or 0.</summary>
    public long Epoch { get; init; }

    /// <summary>The nodes holding the eventlog's replicas (a replicated one), or null.</summary>
    public IReadOnlyList<string>? Replicas { get; init; }
}

/// <summary>
/// Where one appended event went: its CloudEvent id, its server-assigned id, eventlog and offset. An event held for later
/// delivery (see <see cref="DeliveryTimes"/>) has its <see cref="DeliveryTime"/> set instead: its <see cref="EventId"/> then
/// names its entry in the node's timer bus, and <see cref="Eventlog"/> and <see cref="Offset"/> are -1 until it is appended.
/// </summary>
public sealed record AppendedEvent(string Id, EventId EventId, int Eventlog, long Offset, DateTimeOffset? DeliveryTime = null)
{
    /// <summary>True when the event is held by the timer service and appended to its bus at <see cref="DeliveryTime"/>.</summary>
    public bool IsHeld => DeliveryTime is not null;
}

/// <summary>An event read back from a bus, with where and when it was stored.</summary>
public sealed record EventRecord(string Eventbus, int Eventlog, long Offset, DateTimeOffset StoreTime, Event Event);

/// <summary>
/// The server-assigned id of a stored event, unique per eventbus: its eventlog and offset, formatted as 16 lowercase
/// hex digits (2 for the eventlog, 14 for the offset).
/// </summary>
public readonly record struct EventId(int Eventlog, long Offset) : ISpanFormattable
{
    private const long MaxOffset = (1L << 56) - 1;

    /// <summary>Parses the 16-hex-digit form; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EventId id)
    {
        id = default;
        if (text.Length != 16 || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        id = new EventId((int)(value >> 56), (long)(value & MaxOffset));
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => ToString(null, null);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => string.Create(16, this, static (span, id) => id.TryFormat(span, out _, default, null));

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var value = ((ulong)(uint)Eventlog << 56) | (ulong)(Offset & MaxOffset);
        return value.TryFormat(destination, out charsWritten, "x16", CultureInfo.InvariantCulture);
    }
}

/// <summary>What kind of failure a <see cref="BrokerException"/> is; the gateway maps each to one status code.</summary>
public enum BrokerErrorKind
{
    /// <summary>The request names something that does not exist (404).</summary>
    NotFound,

    /// <summary>The request creates something that already exists (409).</summary>
    AlreadyExists,

    /// <summary>The request is refused as written; <see cref="BrokerException.Field"/> names what (400).</summary>
    Invalid,

    /// <summary>The node's bounded queues are full; retry later (429).</summary>
    Overloaded,

    /// <summary>The node is not ready, or failed to store after validation (503).</summary>
    Unavailable,

    /// <summary>The disk that would hold the events (or a new eventbus) is full; retry once space is freed (507).</summary>
    InsufficientStorage,
}

/// <summary>A broker failure with the kind that decides its status code, the field at fault and any events already stored.</summary>
public sealed class BrokerException : Exception
{
    /// <summary>Creates a broker failure.</summary>
    public BrokerException(BrokerErrorKind kind, string message, string? field = null, IReadOnlyList<AppendedEvent>? stored = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Field = field;
        Stored = stored ?? [];
    }

    /// <summary>Which kind of failure this is.</summary>
    public BrokerErrorKind Kind { get; }

    /// <summary>The field or parameter at fault (a JSON path for a document), if one is.</summary>
    public string? Field { get; }

    /// <summary>Events of the request that were stored before the failure (an append that failed part way).</summary>
    public IReadOnlyList<AppendedEvent> Stored { get; }
}
