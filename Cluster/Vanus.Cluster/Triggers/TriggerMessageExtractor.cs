using Akka.Cluster.Sharding;
using Vanus.Cluster.Eventlogs;

namespace Vanus.Cluster.Triggers;

/// <summary>Routes <see cref="ITriggerCommand"/>s to their entity; the shard is a stable hash of the entity id.</summary>
internal sealed class TriggerMessageExtractor : IMessageExtractor
{
    // Fixed for the life of a cluster: changing it moves entities between shards.
    public const int Shards = 128;

    public string? EntityId(object message) => (message as ITriggerCommand)?.EntityId;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? EventlogIds.ShardId(id, Shards) : null;

    public string ShardId(string entityId, object? messageHint = null) => EventlogIds.ShardId(entityId, Shards);
}
