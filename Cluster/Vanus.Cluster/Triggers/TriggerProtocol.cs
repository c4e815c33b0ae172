using Akka.Actor;
using Akka.Event;
using MessagePack;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Serialization;
using Vanus.Operators.Delivery;

namespace Vanus.Cluster.Triggers;

/// <summary>A command for one trigger entity (named as <see cref="TriggerId"/> says); the shard region routes it by its entity id.</summary>
internal interface ITriggerCommand : IEntityCommand;

/// <summary>What a trigger reads and where its dead letters go: its subscription, its eventlog's entity and the dead-letter eventlog's.</summary>
[MessagePackObject]
internal sealed record TriggerConfig(
    [property: Key(0)] SubscriptionEntry Subscription,
    [property: Key(1)] int Eventlog,
    [property: Key(2)] string SourceEntity,
    [property: Key(3)] string? DeadLetterEntity,
    [property: Key(4)] string? DeadLetterBus);

/// <summary>Starts or reconfigures a trigger (idempotent; an older version is ignored); answered with <see cref="TriggerAck"/>.</summary>
[MessagePackObject]
internal sealed record ConfigureTrigger(
    [property: Key(0)] string EntityId,
    [property: Key(1)] TriggerConfig Config) : ITriggerCommand;

/// <summary>Asks for progress and counts; answered with <see cref="TriggerStatus"/>.</summary>
[MessagePackObject]
internal sealed record GetTriggerStatus([property: Key(0)] string EntityId) : ITriggerCommand;

/// <summary>Moves a paused trigger to the first event stored at or after a time, dropping its retries; answered with <see cref="TriggerAck"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record ResetTrigger(
    [property: Key(0)] string EntityId,
    [property: Key(1)] DateTimeOffset Time) : ITriggerCommand;

/// <summary>Deletes the trigger's persisted state and stops it; answered with <see cref="TriggerAck"/>.</summary>
[MessagePackObject]
internal sealed record DeleteTrigger([property: Key(0)] string EntityId) : ITriggerCommand;

/// <summary>Delivers dead letters again as new attempts; answered with <see cref="TriggerAck"/> once they are persisted.</summary>
[MessagePackObject]
internal sealed record RedeliverDeadLetters(
    [property: Key(0)] string EntityId,
    [property: Key(1)] IReadOnlyList<long> Offsets) : ITriggerCommand;

/// <summary>Takes up to <see cref="Max"/> events of a pull trigger, waiting up to <see cref="WaitTicks"/>; answered with <see cref="PulledBatch"/>.</summary>
[MessagePackObject]
internal sealed record PullEvents(
    [property: Key(0)] string EntityId,
    [property: Key(1)] int Max,
    [property: Key(2)] long WaitTicks,
    [property: Key(3)] Guid PullId) : ITriggerCommand;

/// <summary>Ends a waiting pull now: it is answered with whatever it holds.</summary>
[MessagePackObject]
internal sealed record CancelPull(
    [property: Key(0)] string EntityId,
    [property: Key(1)] Guid PullId) : ITriggerCommand;

/// <summary>Acknowledges pulled events (id and attempt of each); answered with <see cref="TriggerAck"/> whose count says how many were outstanding.</summary>
[MessagePackObject]
internal sealed record AckEvents(
    [property: Key(0)] string EntityId,
    [property: Key(1)] IReadOnlyList<PullToken> Tokens) : ITriggerCommand;

/// <summary>One pulled attempt: the item (offset, or negative for a resent dead letter) and its attempt number.</summary>
[MessagePackObject]
internal sealed record PullToken(
    [property: Key(0)] long Id,
    [property: Key(1)] int Attempt);

/// <summary>Events handed to a puller.</summary>
[MessagePackObject]
internal sealed record PulledBatch([property: Key(0)] IReadOnlyList<PulledItem> Items) : IClusterMessage;

/// <summary>One event handed to a puller, with its item id, the offset it was read from and the attempt.</summary>
[MessagePackObject]
internal sealed record PulledItem(
    [property: Key(0)] long Id,
    [property: Key(1)] long Offset,
    [property: Key(2)] int Attempt,
    [property: Key(3)] Runtime.Events.Event Event);

/// <summary>A trigger command was done; <see cref="Count"/> says how many items it concerned, where that means anything.</summary>
[MessagePackObject]
internal sealed record TriggerAck(
    [property: Key(0)] string EntityId,
    [property: Key(1)] int Count) : IClusterMessage;


/// <summary>A trigger's progress and counts.</summary>
[MessagePackObject]
internal sealed record TriggerStatus(
    [property: Key(0)] long Committed,
    [property: Key(1)] TriggerCounts Counts,
    [property: Key(2)] int PendingRetries,
    [property: Key(3)] string? LastError,
    [property: Key(4)] DateTimeOffset? LastErrorTime,
    [property: Key(5)] bool Started) : IClusterMessage;

/// <summary>Totals since the trigger was created, persisted with its progress.</summary>
[MessagePackObject]
internal sealed record TriggerCounts(
    [property: Key(0)] long Delivered,
    [property: Key(1)] long Failed,
    [property: Key(2)] long DeadLettered,
    [property: Key(3)] long Dropped)
{
    public static readonly TriggerCounts Zero = new(0, 0, 0, 0);
}

/// <summary>The shard's hand-off message: persist progress and stop.</summary>
[MessagePackObject]
internal sealed record StopTrigger : IClusterMessage
{
    public static readonly StopTrigger Instance = new();
}

/// <summary>
/// A retry the trigger holds: the item id (an offset of its eventlog, or the negative of one plus a dead-letter offset for a
/// resent dead letter), the next attempt and when it is due.
/// </summary>
[MessagePackObject]
internal sealed record RetryEntry(
    [property: Key(0)] long Id,
    [property: Key(1)] int Attempt,
    [property: Key(2)] long DueTicks,
    [property: Key(3)] string? PartitionKey);

/// <summary>Persisted: the trigger's first position, resolved from the subscription's <c>from</c>.</summary>
[MessagePackObject]
internal sealed record TriggerStarted([property: Key(0)] long Committed) : IClusterMessage;

/// <summary>
/// Persisted: progress since the last record: the committed offset (every event before it is finished or held in a
/// retry), retries added or moved, retries finished, and the totals.
/// </summary>
[MessagePackObject]
internal sealed record TriggerProgress(
    [property: Key(0)] long Committed,
    [property: Key(1)] IReadOnlyList<RetryEntry> Upserted,
    [property: Key(2)] IReadOnlyList<long> Removed,
    [property: Key(3)] TriggerCounts Counts) : IClusterMessage;

/// <summary>Persisted: a reset moved the trigger to this offset and dropped every retry.</summary>
[MessagePackObject]
internal sealed record TriggerReset([property: Key(0)] long Committed) : IClusterMessage;

/// <summary>The trigger's persisted state as a snapshot.</summary>
[MessagePackObject]
internal sealed record TriggerSnapshot(
    [property: Key(0)] bool Started,
    [property: Key(1)] long Committed,
    [property: Key(2)] IReadOnlyList<RetryEntry> Retries,
    [property: Key(3)] TriggerCounts Counts) : IClusterMessage;

/// <summary>A read of the eventlog finished; <see cref="Generation"/> tells a current read from one made before a reset.</summary>
internal sealed record ReadDone(long Generation, long Offset, object Reply) : INoSerializationVerificationNeeded;

/// <summary>The body of a retried item was fetched (after a restart, retries are held without their events).</summary>
internal sealed record BodyFetched(long Generation, long Id, object Reply) : INoSerializationVerificationNeeded;

/// <summary>One delivery attempt finished.</summary>
internal sealed record AttemptDone(long Generation, long Id, int Attempt, DeliveryOutcome Outcome) : INoSerializationVerificationNeeded;

/// <summary>A dead letter was appended (or failed to be).</summary>
internal sealed record DeadLetterDone(long Generation, long Id, string? Error) : INoSerializationVerificationNeeded;

/// <summary>The first position was resolved from the eventlog (or failed to be).</summary>
internal sealed record StartResolved(object Reply) : INoSerializationVerificationNeeded;

/// <summary>A reset's position was resolved.</summary>
internal sealed record ResetResolved(object Reply, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

/// <summary>Time to take due retries, delayed events and rate-limited ones.</summary>
internal sealed record WakeTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly WakeTick Instance = new();
}

/// <summary>Time to take what the scheduler allows, after a burst of outcomes.</summary>
internal sealed record PumpNow : INoSerializationVerificationNeeded
{
    public static readonly PumpNow Instance = new();
}

/// <summary>Time to persist progress.</summary>
internal sealed record FlushTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly FlushTick Instance = new();
}

/// <summary>A read got no answer in time: it is made again.</summary>
internal sealed record ReadTimedOut(long Generation, long Offset) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
