using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>
/// What a node offers the gateway, the management API and (later) triggers: namespaces, eventbuses, appends and reads.
/// Failures the caller should map to a status code are <see cref="BrokerException"/>s.
/// </summary>
public interface IEventbusBroker
{
    /// <summary>True once the node has recovered its catalog and can take appends and management calls.</summary>
    bool IsReady { get; }

    /// <summary>Creates a namespace; fails with <see cref="BrokerErrorKind.AlreadyExists"/> if it exists.</summary>
    Task<NamespaceInfo> CreateNamespaceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every namespace, <c>default</c> included, ordered by name.</summary>
    Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>One namespace, or null if there is none of that name.</summary>
    Task<NamespaceInfo?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes an empty namespace (not <c>default</c>); false if there is none of that name.</summary>
    Task<bool> DeleteNamespaceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates an eventbus (and its dead-letter bus) with its eventlogs.</summary>
    Task<EventbusInfo> CreateEventbusAsync(string @namespace, EventbusSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Every eventbus of a namespace with its eventlogs' offsets, ordered by name; dead-letter buses are reached through their bus's <see cref="EventbusInfo.DeadLetterBus"/>.</summary>
    Task<IReadOnlyList<EventbusInfo>> ListEventbusesAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>One eventbus with its eventlogs' offsets, or null if there is none of that name.</summary>
    Task<EventbusInfo?> GetEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes an eventbus, its dead-letter bus and their stored events; false if there is none of that name.</summary>
    Task<bool> DeleteEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends validated events, routed by <c>partitionkey</c> hash or round-robin, and completes once they are durable
    /// per the bus's sync policy, listing each event's placement in request order.
    /// </summary>
    ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="count"/> events of one eventlog from <paramref name="offset"/> on.</summary>
    Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads like <see cref="ReadAsync"/> from the copy of a replicated eventlog kept on node <paramref name="replica"/>
    /// (its committed records), not the leader's: what an operator compares replicas with.
    /// </summary>
    Task<IReadOnlyList<EventRecord>> ReadReplicaAsync(string @namespace, string eventbus, int eventlog, string replica, long offset, int count, CancellationToken cancellationToken = default) =>
        throw new BrokerException(BrokerErrorKind.Invalid, $"eventbus '{eventbus}' keeps one copy of each eventlog on this node: 'replica' names a node of a replicated eventbus", "replica");

    /// <summary>The cluster's members with their status, and where the controller runs.</summary>
    Task<ClusterInfo> DescribeClusterAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the event a server-assigned id names, or null if it is not (or no longer) stored.</summary>
    Task<EventRecord?> GetAsync(string @namespace, string eventbus, EventId eventId, CancellationToken cancellationToken = default);

    /// <summary>Per eventlog (index = eventlog id), the first offset whose store time is at or after <paramref name="time"/>.</summary>
    Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default);
}
