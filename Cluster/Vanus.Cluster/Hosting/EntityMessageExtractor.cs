using Akka.Cluster.Sharding;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Hosting;

/// <summary>A command for one sharded entity (an eventlog, a trigger); the shard region routes it by <see cref="EntityId"/>.</summary>
internal interface IEntityCommand : IClusterMessage
{
    /// <summary>The entity the command is for.</summary>
    string EntityId { get; }
}

/// <summary>Routes <see cref="IEntityCommand"/>s to their entity; the shard is a stable hash of the entity id, so an entity's shard is the same on every node and across restarts.</summary>
internal sealed class EntityMessageExtractor : IMessageExtractor
{
    // Fixed for the life of a cluster: changing it moves entities between shards.
    public const int Shards = 128;

    public string? EntityId(object message) => (message as IEntityCommand)?.EntityId;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id) : null;

    public string ShardId(string entityId, object? messageHint = null) =>
        ((int)(EventRouting.Fnv1a64(entityId) % Shards)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
