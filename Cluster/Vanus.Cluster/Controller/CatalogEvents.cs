using MessagePack;
using Vanus.Cluster.Serialization;

namespace Vanus.Cluster.Controller;

/// <summary>Persisted: a namespace was added.</summary>
[MessagePackObject]
internal sealed record NamespaceAdded([property: Key(0)] NamespaceEntry Namespace) : IClusterMessage;

/// <summary>Persisted: a namespace was removed.</summary>
[MessagePackObject]
internal sealed record NamespaceRemoved([property: Key(0)] string Name) : IClusterMessage;

/// <summary>Persisted: an eventbus and its dead-letter bus were added, their eventlogs already created.</summary>
[MessagePackObject]
internal sealed record EventbusAdded(
    [property: Key(0)] EventbusEntry Eventbus,
    [property: Key(1)] EventbusEntry DeadLetter) : IClusterMessage;

/// <summary>Persisted: an eventbus and its dead-letter bus left the catalog; their storage is to be released.</summary>
[MessagePackObject]
internal sealed record EventbusRemoved(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] IReadOnlyList<PendingRelease> Releases,
    [property: Key(3)] IReadOnlyList<SubscriptionEntry>? Subscriptions = null) : IClusterMessage;

/// <summary>Persisted: the eventlogs of a removed incarnation are deleted.</summary>
[MessagePackObject]
internal sealed record StorageReleased([property: Key(0)] string Incarnation) : IClusterMessage;

/// <summary>The controller's state as a snapshot: taken every few events so recovery replays a short tail.</summary>
[MessagePackObject]
internal sealed record CatalogSnapshot(
    [property: Key(0)] IReadOnlyList<NamespaceEntry> Namespaces,
    [property: Key(1)] IReadOnlyList<EventbusEntry> Eventbuses,
    [property: Key(2)] IReadOnlyList<PendingRelease> Releases,
    [property: Key(3)] IReadOnlyList<SubscriptionEntry>? Subscriptions = null,
    [property: Key(4)] IReadOnlyList<ScheduleEntry>? Schedules = null,
    [property: Key(5)] IReadOnlyList<TokenEntry>? Tokens = null) : IClusterMessage;

/// <summary>Persisted: a subscription was created.</summary>
[MessagePackObject]
internal sealed record SubscriptionAdded([property: Key(0)] SubscriptionEntry Subscription) : IClusterMessage;

/// <summary>Persisted: a subscription's document or state changed; the entry replaces the one held.</summary>
[MessagePackObject]
internal sealed record SubscriptionUpdated([property: Key(0)] SubscriptionEntry Subscription) : IClusterMessage;

/// <summary>Persisted: a subscription was deleted.</summary>
[MessagePackObject]
internal sealed record SubscriptionRemoved(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name) : IClusterMessage;

/// <summary>Persisted: a schedule was created.</summary>
[MessagePackObject]
internal sealed record ScheduleAdded([property: Key(0)] ScheduleEntry Schedule) : IClusterMessage;

/// <summary>Persisted: a schedule was deleted.</summary>
[MessagePackObject]
internal sealed record ScheduleRemoved(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name) : IClusterMessage;

/// <summary>Persisted: an API token was created.</summary>
[MessagePackObject]
internal sealed record TokenAdded([property: Key(0)] TokenEntry Token) : IClusterMessage;

/// <summary>Persisted: an API token was revoked.</summary>
[MessagePackObject]
internal sealed record TokenRemoved([property: Key(0)] string Name) : IClusterMessage;
