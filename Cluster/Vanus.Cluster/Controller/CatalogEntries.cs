using MessagePack;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>An entry of a namespace in the catalog: an eventbus, a subscription or a schedule.</summary>
internal interface ICatalogEntry
{
    /// <summary>The namespace it belongs to.</summary>
    string Namespace { get; }

    /// <summary>Its name, unique among its kind in the namespace.</summary>
    string Name { get; }
}

/// <summary>A namespace as the catalog holds it.</summary>
[MessagePackObject]
internal sealed record NamespaceEntry(
    [property: Key(0)] string Name,
    [property: Key(1)] DateTimeOffset CreatedAt);

/// <summary>
/// An eventbus as the catalog holds it. <see cref="Incarnation"/> is unique per creation, so the eventlogs (and folders) of a
/// deleted bus are never those of a later bus of the same name. A dead-letter bus names its bus in <see cref="DeadLetterOf"/>.
/// </summary>
[MessagePackObject]
internal sealed record EventbusEntry(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] string Incarnation,
    [property: Key(3)] int Eventlogs,
    [property: Key(4)] int Replicas,
    [property: Key(5)] SyncPolicy Sync,
    [property: Key(6)] RetentionOptions Retention,
    [property: Key(7)] DateTimeOffset CreatedAt,
    [property: Key(8)] string? DeadLetterBus,
    [property: Key(9)] string? DeadLetterOf,
    [property: Key(10)] IReadOnlyList<IReadOnlyList<string>>? Placement = null) : ICatalogEntry
{
    /// <summary>The sharded entity id of eventlog <paramref name="index"/>.</summary>
    public string EntityId(int index) => new EventlogId(Incarnation, index).EntityId;

    /// <summary>The nodes holding eventlog <paramref name="index"/>'s replicas, or null for a bus kept in one copy.</summary>
    public IReadOnlyList<string>? ReplicasOf(int index) => Placement is { } p && index < p.Count && p[index].Count > 1 ? p[index] : null;

    /// <summary>What eventlog <paramref name="index"/> is created with.</summary>
    public EventlogConfig ConfigOf(int index) => new(Namespace, Name, Incarnation, index, Sync, Retention, ReplicasOf(index));
}

/// <summary>The storage of a removed bus that still has to be deleted (retried after a restart until it is).</summary>
[MessagePackObject]
internal sealed record PendingRelease(
    [property: Key(0)] string Incarnation,
    [property: Key(1)] int Eventlogs,
    [property: Key(2)] IReadOnlyList<IReadOnlyList<string>>? Placement = null)
{
    /// <summary>The delete command of eventlog <paramref name="index"/>, sent to every node holding a replica of it.</summary>
    public DeleteEventlog DeleteOf(int index) =>
        new(new EventlogId(Incarnation, index).EntityId, Placement is { } p && index < p.Count && p[index].Count > 1 ? p[index] : null);
}

/// <summary>The whole catalog at one version: what the controller hands every broker.</summary>
[MessagePackObject]
internal sealed record CatalogView(
    [property: Key(0)] long Version,
    [property: Key(1)] IReadOnlyList<NamespaceEntry> Namespaces,
    [property: Key(2)] IReadOnlyList<EventbusEntry> Eventbuses,
    [property: Key(3)] IReadOnlyList<SubscriptionEntry>? Subscriptions = null,
    [property: Key(4)] IReadOnlyList<ScheduleEntry>? Schedules = null,
    [property: Key(5)] IReadOnlyList<TokenEntry>? Tokens = null) : Serialization.IClusterMessage
{
    /// <summary>The API tokens of this version (none when an older node sent the view).</summary>
    [IgnoreMember]
    public IReadOnlyList<TokenEntry> TokenList => Tokens ?? [];

    /// <summary>The subscriptions of this version (none when an older node sent the view).</summary>
    [IgnoreMember]
    public IReadOnlyList<SubscriptionEntry> SubscriptionList => Subscriptions ?? [];

    /// <summary>The schedules of this version (none when an older node sent the view).</summary>
    [IgnoreMember]
    public IReadOnlyList<ScheduleEntry> ScheduleList => Schedules ?? [];
}

/// <summary>An API token as the catalog holds it: the SHA-256 of its secret, never the secret.</summary>
[MessagePackObject]
internal sealed record TokenEntry(
    [property: Key(0)] string Name,
    [property: Key(1)] string Hash,
    [property: Key(2)] IReadOnlyList<string> Roles,
    [property: Key(3)] DateTimeOffset CreatedAt,
    [property: Key(4)] DateTimeOffset? Expires)
{
    public static TokenEntry From(TokenInfo info) => new(info.Name, info.Hash, [.. info.Roles], info.CreatedAt, info.Expires);

    public TokenInfo ToInfo() => new(Name, Hash, Roles, CreatedAt, Expires);
}
