using Akka.Actor;
using MessagePack;
using Vanus.Cluster.Replication;
using Vanus.Cluster.Serialization;

namespace Vanus.Cluster.Replicas;

/// <summary>A replication message between the replicas of eventlog <see cref="EntityId"/>, from one node's replica manager to another's.</summary>
[MessagePackObject]
internal sealed record ReplicaEnvelope(
    [property: Key(0)] string EntityId,
    [property: Key(1)] ReplicaMessage Message) : IClusterMessage;

/// <summary>
/// The answer of a replica that does not lead its eventlog to a command only the leader serves: nothing was tried, so the
/// router sends the command on to <see cref="Leader"/> (when known) or waits for an election.
/// </summary>
[MessagePackObject]
internal sealed record NotLeader(
    [property: Key(0)] string EntityId,
    [property: Key(1)] string? Leader,
    [property: Key(2)] string Reason) : IClusterMessage;

/// <summary>A replica became the leader of its eventlog in <see cref="Epoch"/>: told to every node's router, so appends go straight to it.</summary>
[MessagePackObject]
internal sealed record LeaderElected(
    [property: Key(0)] string EntityId,
    [property: Key(1)] string Leader,
    [property: Key(2)] long Epoch) : IClusterMessage;

/// <summary>
/// Replication messages from one node's replicas to another node's, sent as one: the heartbeats and answers of every
/// eventlog the two nodes share travel together instead of one message each.
/// </summary>
[MessagePackObject]
internal sealed record ReplicaBatch([property: Key(0)] IReadOnlyList<ReplicaEnvelope> Envelopes) : IClusterMessage;

/// <summary>A local replica's heartbeat or answer for the replica manager of node <see cref="Node"/>, which sends it on batched.</summary>
internal sealed record Outgoing(Address Node, ReplicaEnvelope Envelope) : INoSerializationVerificationNeeded;

/// <summary>Time passes for a replica: the manager ticks every replica of its node at once, so their heartbeats leave together.</summary>
internal sealed record ReplicaTick : INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression
{
    /// <summary>The one instance.</summary>
    public static readonly ReplicaTick Instance = new();
}
