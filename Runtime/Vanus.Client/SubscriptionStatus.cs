namespace Vanus.Client;

/// <summary>Whether a subscription delivers.</summary>
public enum SubscriptionState
{
    /// <summary>A state this client does not know; see <see cref="SubscriptionStatus.Json"/>.</summary>
    Unknown,

    /// <summary>Reading and delivering.</summary>
    Running,

    /// <summary>Stopped until resumed; committed offsets are kept and may be reset.</summary>
    Paused,
}

/// <summary>A subscription as the node reports it: state, counts over every eventlog, per-eventlog progress and the last sink error.</summary>
public sealed record SubscriptionStatus(
    string Name,
    string Eventbus,
    SubscriptionState State,
    string? Sink,
    long Delivered,
    long Failed,
    long DeadLettered,
    long Dropped,
    SinkError? LastError,
    IReadOnlyList<EventlogProgress> Eventlogs)
{
    /// <summary>Events stored but not yet committed, over every eventlog.</summary>
    public long Lag => Eventlogs.Sum(e => e.Lag);

    /// <summary>The node's whole answer as JSON, for fields this record does not model (the document itself, say).</summary>
    public string Json { get; init; } = "";
}

/// <summary>One eventlog of a subscription: the committed offset (everything before it is done), the eventlog's next offset, the lag and counts.</summary>
public sealed record EventlogProgress(
    int Eventlog,
    long Committed,
    long? Next,
    long Lag,
    long Delivered,
    long Failed,
    long DeadLettered,
    long Dropped,
    int PendingRetries,
    SinkError? LastError);

/// <summary>A sink failure as the node recorded it: what went wrong and when (null when the node did not say).</summary>
public sealed record SinkError(string Message, DateTimeOffset? Time);
