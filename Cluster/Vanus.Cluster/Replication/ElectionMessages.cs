using Vanus.Storage.Replication;

namespace Vanus.Cluster.Replication;

/// <summary>A message between the replicas of one eventlog (DESIGN §5, REPLICATION.md): from, to and the sender's epoch.</summary>
internal abstract record ReplicaMessage(string From, string To, long Epoch);

/// <summary>
/// "Would you vote for me in <see cref="ReplicaMessage.Epoch"/>?" sent before an election, which changes nothing at the
/// voter (Raft §9.6): a replica cut off from the others cannot raise the epoch and unseat a live leader when it returns.
/// </summary>
internal sealed record PreVoteRequest(string From, string To, long Epoch, long LastEpoch, long End) : ReplicaMessage(From, To, Epoch);

/// <summary>The answer to a <see cref="PreVoteRequest"/>; <see cref="ReplicaMessage.Epoch"/> is the voter's own.</summary>
internal sealed record PreVoteReply(string From, string To, long Epoch, long ForEpoch, bool Granted) : ReplicaMessage(From, To, Epoch);

/// <summary>A candidate of <see cref="ReplicaMessage.Epoch"/> asks for a vote, with its log's last epoch and end offset.</summary>
internal sealed record VoteRequest(string From, string To, long Epoch, long LastEpoch, long End) : ReplicaMessage(From, To, Epoch);

/// <summary>The answer to a <see cref="VoteRequest"/>; <see cref="ReplicaMessage.Epoch"/> is the voter's (after it adopted a newer one).</summary>
internal sealed record VoteReply(string From, string To, long Epoch, bool Granted) : ReplicaMessage(From, To, Epoch);

/// <summary>The leader of <see cref="ReplicaMessage.Epoch"/> is alive; <see cref="Commit"/> is its committed end.</summary>
internal sealed record Heartbeat(string From, string To, long Epoch, long Commit) : ReplicaMessage(From, To, Epoch);

/// <summary>A replica heard the heartbeat (<see cref="Accepted"/>) or refuses it for an older epoch (then its own epoch tells the sender to step down).</summary>
internal sealed record HeartbeatReply(string From, string To, long Epoch, bool Accepted) : ReplicaMessage(From, To, Epoch);

/// <summary>
/// The leader of <see cref="ReplicaMessage.Epoch"/> sends <see cref="Count"/> stored frames from offset <see cref="Start"/>
/// (none: a heartbeat that still checks the logs match), the epoch of the offset before them, its epoch entries from
/// the one holding that offset on, its committed end, and the end of its log (what a rejoining replica must hold before it votes).
/// </summary>
internal sealed record AppendRequest(string From, string To, long Epoch, long Start, long PrevEpoch, int Count, ReadOnlyMemory<byte> Frames, IReadOnlyList<EpochEntry> Epochs, long Commit, long LeaderEnd)
    : ReplicaMessage(From, To, Epoch)
{
    /// <summary>The request as <see cref="AppendPlan.Decide"/> reads it.</summary>
    public AppendRequestShape Shape => new(Epoch, Start, PrevEpoch, Count, Epochs, Commit);
}

/// <summary>
/// A follower's answer to the <see cref="AppendRequest"/> that started at <see cref="Start"/>: taken, with the end it holds
/// from that request on (written, and synced per the bus's policy) and its last epoch; or refused, with its end and
/// epoch table (<see cref="Epochs"/>, the logs do not match) or with its newer epoch alone (the sender is no leader now).
/// </summary>
internal sealed record AppendResponse(string From, string To, long Epoch, long Start, bool Accepted, long End, long LastEpoch, IReadOnlyList<EpochEntry>? Epochs)
    : ReplicaMessage(From, To, Epoch);
