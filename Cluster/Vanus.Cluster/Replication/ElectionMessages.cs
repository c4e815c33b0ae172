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
