using Akka.Cluster.Sharding;

namespace Vanus.Cluster.Eventlogs;

/// <summary>Routes <see cref="IEventlogCommand"/>s to their entity; the shard is a stable hash of the entity id.</summary>
internal sealed class EventlogMessageExtractor : IMessageExtractor
{
    // Fixed for the life of a cluster: changing it moves entities between shards.
    public const int Shards = 128;

    public string? EntityId(object message) => (message as IEventlogCommand)?.EntityId;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? EventlogIds.ShardId(id, Shards) : null;

    public string ShardId(string entityId, object? messageHint = null) => EventlogIds.ShardId(entityId, Shards);
}
