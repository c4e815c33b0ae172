using MessagePack;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>
/// A subscription as the catalog holds it. <see cref="Incarnation"/> is unique per creation, so the triggers (and their
/// journals) of a deleted subscription are never those of a later one of the same name. <see cref="Version"/> is the
/// catalog sequence number of the last change, so a trigger can tell a newer configuration from an older one.
/// </summary>
[MessagePackObject]
internal sealed record SubscriptionEntry(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] string Incarnation,
    [property: Key(3)] string Eventbus,
    [property: Key(4)] string? Sink,
    [property: Key(5)] string? Filters,
    [property: Key(6)] string? Transformer,
    [property: Key(7)] long DelayTicks,
    [property: Key(8)] SinkProtocol Protocol,
    [property: Key(9)] SinkMode Mode,
    [property: Key(10)] IReadOnlyDictionary<string, string> SinkHeaders,
    [property: Key(11)] DeliveryEntry Delivery,
    [property: Key(12)] SubscriptionStartKind FromKind,
    [property: Key(13)] DateTimeOffset? FromTime,
    [property: Key(14)] bool Paused,
    [property: Key(15)] DateTimeOffset CreatedAt,
    [property: Key(16)] long Version) : ICatalogEntry
{
    /// <summary>The entry for a document; incarnation, creation time and version are the controller's to set.</summary>
    public static SubscriptionEntry From(string @namespace, SubscriptionSpec spec) => new(
        @namespace,
        spec.Name,
        "",
        spec.Eventbus,
        spec.Sink,
        spec.Filters,
        spec.Transformer,
        spec.Delay.Ticks,
        spec.Protocol,
        spec.Mode,
        new Dictionary<string, string>(spec.SinkHeaders, StringComparer.OrdinalIgnoreCase),
        DeliveryEntry.From(spec.Delivery),
        spec.From.Kind,
        spec.From.Time,
        false,
        default,
        0);

    /// <summary>The document this entry holds.</summary>
    public SubscriptionSpec ToSpec() => new(Name, Eventbus)
    {
        Sink = Sink,
        Filters = Filters,
        Transformer = Transformer,
        Delay = TimeSpan.FromTicks(DelayTicks),
        Protocol = Protocol,
        Mode = Mode,
        SinkHeaders = SinkHeaders,
        Delivery = Delivery.ToPolicy(),
        From = new SubscriptionStart(FromKind, FromTime),
    };

    /// <summary>The sharded entity id of the trigger for eventlog <paramref name="eventlog"/>.</summary>
    public string TriggerId(int eventlog) => new Triggers.TriggerId(Incarnation, eventlog).EntityId;
}

/// <summary>A <see cref="DeliveryPolicy"/> in its stored form.</summary>
[MessagePackObject]
internal sealed record DeliveryEntry(
    [property: Key(0)] int MaxAttempts,
    [property: Key(1)] IReadOnlyList<long> BackoffTicks,
    [property: Key(2)] long TimeoutTicks,
    [property: Key(3)] bool DeadLetter,
    [property: Key(4)] bool Ordered,
    [property: Key(5)] int Inflight,
    [property: Key(6)] double RateLimit)
{
    public static DeliveryEntry From(DeliveryPolicy policy) => new(
        policy.MaxAttempts,
        [.. policy.Backoff.Select(b => b.Ticks)],
        policy.Timeout.Ticks,
        policy.DeadLetter,
        policy.Ordered,
        policy.Inflight,
        policy.RateLimit);

    public DeliveryPolicy ToPolicy() => new()
    {
        MaxAttempts = MaxAttempts,
        Backoff = [.. BackoffTicks.Select(TimeSpan.FromTicks)],
        Timeout = TimeSpan.FromTicks(TimeoutTicks),
        DeadLetter = DeadLetter,
        Ordered = Ordered,
        Inflight = Inflight,
        RateLimit = RateLimit,
    };
}
