
namespace Vanus.Runtime.Broker;

/// <summary>How a subscription's events reach their consumer.</summary>
public enum SinkProtocol
{
    /// <summary>The node POSTs each event to the subscription's sink URL.</summary>
    Http,

    /// <summary>Consumers pull events over HTTP and acknowledge them (the .NET client's in-process pipelines).</summary>
    Pull,
}

/// <summary>The CloudEvents HTTP content mode of deliveries.</summary>
public enum SinkMode
{
    /// <summary>Attributes as <c>ce-</c> headers, data as the body.</summary>
    Binary,

    /// <summary>The whole event as one <c>application/cloudevents+json</c> document.</summary>
    Structured,
}

/// <summary>Where a new subscription starts reading: the earliest stored event, the next appended one, or the first stored at or after a time.</summary>
public readonly record struct SubscriptionStart(SubscriptionStartKind Kind, DateTimeOffset? Time)
{
    /// <summary>From the first readable event.</summary>
    public static SubscriptionStart Earliest => new(SubscriptionStartKind.Earliest, null);

    /// <summary>From the next event appended after the subscription is created.</summary>
    public static SubscriptionStart Latest => new(SubscriptionStartKind.Latest, null);

    /// <summary>From the first event stored at or after <paramref name="time"/>.</summary>
    public static SubscriptionStart At(DateTimeOffset time) => new(SubscriptionStartKind.Time, time);
}

/// <summary>The kinds of <see cref="SubscriptionStart"/>.</summary>
public enum SubscriptionStartKind
{
    /// <summary>The first readable event.</summary>
    Earliest,

    /// <summary>The next appended event.</summary>
    Latest,

    /// <summary>The first event stored at or after a time.</summary>
    Time,
}

/// <summary>
/// A subscription document (DESIGN §6): eventbus → filters → transformer → sink, with its delivery policy. Filters and
/// transformer are kept as the JSON the user wrote (validated on create), so every node compiles the same definition.
/// </summary>
public sealed record SubscriptionSpec(string Name, string Eventbus)
{
    /// <summary>The longest delay a subscription may hold events for: ten years, so store time plus delay stays a date.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(3650);

    /// <summary>The sink URL (absolute http or https) for <see cref="SinkProtocol.Http"/>; null for <see cref="SinkProtocol.Pull"/>.</summary>
    public string? Sink { get; init; }

    /// <summary>The filters as a JSON array (Vanus's dialects and <c>sql</c>/<c>cel</c>); null: every event passes.</summary>
    public string? Filters { get; init; }

    /// <summary>The transformer definition as JSON (<c>define</c>, <c>pipeline</c>, <c>template</c>); null: events are delivered as stored.</summary>
    public string? Transformer { get; init; }

    /// <summary>Each event is held until its store time plus this delay.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>How events reach the consumer.</summary>
    public SinkProtocol Protocol { get; init; } = SinkProtocol.Http;

    /// <summary>The content mode of HTTP deliveries.</summary>
    public SinkMode Mode { get; init; } = SinkMode.Binary;

    /// <summary>Headers added to every HTTP delivery (an <c>Authorization</c> header, say).</summary>
    public IReadOnlyDictionary<string, string> SinkHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>Attempts, backoff, timeout, dead-lettering, ordering, concurrency and rate.</summary>
    public DeliveryPolicy Delivery { get; init; } = DeliveryPolicy.Default;

    /// <summary>Where the subscription starts reading when it is created.</summary>
    public SubscriptionStart From { get; init; } = SubscriptionStart.Latest;
}

/// <summary>Whether a subscription's triggers deliver.</summary>
public enum SubscriptionState
{
    /// <summary>Reading and delivering.</summary>
    Running,

    /// <summary>Stopped until resumed; committed offsets are kept and may be reset.</summary>
    Paused,
}

/// <summary>A subscription as the node reports it: the document, its state and, per eventlog, progress and counts.</summary>
public sealed record SubscriptionInfo(
    string Namespace,
    SubscriptionSpec Spec,
    SubscriptionState State,
    DateTimeOffset CreatedAt,
    IReadOnlyList<TriggerInfo> Eventlogs)
{
    /// <summary>Events delivered, over every eventlog.</summary>
    public long Delivered => Eventlogs.Sum(e => e.Delivered);

    /// <summary>Failed attempts (each retried or dead-lettered), over every eventlog.</summary>
    public long Failed => Eventlogs.Sum(e => e.Failed);

    /// <summary>Events sent to the dead-letter bus, over every eventlog.</summary>
    public long DeadLettered => Eventlogs.Sum(e => e.DeadLettered);

    /// <summary>Events dropped after their last attempt because dead-lettering is off, over every eventlog.</summary>
    public long Dropped => Eventlogs.Sum(e => e.Dropped);

    /// <summary>The newest sink error of any eventlog, or null if there has been none.</summary>
    public SinkError? LastError => Eventlogs.Select(e => e.LastError).Where(e => e is not null).MaxBy(e => e!.Time);
}

/// <summary>
/// One trigger (subscription × eventlog): the committed offset (every event before it is delivered, dead-lettered or held
/// as a persisted retry), the eventlog's next offset, the lag between them, counts and the last sink error.
/// </summary>
public sealed record TriggerInfo(
    int Eventlog,
    long Committed,
    long Next,
    long Delivered,
    long Failed,
    long DeadLettered,
    long Dropped,
    int PendingRetries,
    SinkError? LastError)
{
    /// <summary>Events stored but not yet committed.</summary>
    public long Lag => Math.Max(0, Next - Committed);
}

/// <summary>A sink failure: what went wrong and when.</summary>
public sealed record SinkError(string Message, DateTimeOffset Time);

/// <summary>A dead-lettered event as read back: where it sits in the dead-letter bus and the event with its <c>xvanusdl*</c> attributes.</summary>
public sealed record DeadLetterRecord(int Eventlog, long Offset, DateTimeOffset StoreTime, Runtime.Events.Event Event);

/// <summary>Which dead letters of a subscription to resend: all of them, or those of one dead-letter eventlog in an offset range.</summary>
public sealed record DeadLetterSelection(int? Eventlog = null, long? FromOffset = null, long? ToOffset = null);

/// <summary>An event handed to a pull consumer: acknowledge it with <see cref="Token"/> before the subscription's timeout.</summary>
public sealed record PulledEvent(string Token, int Eventlog, long Offset, int Attempt, Runtime.Events.Event Event);
