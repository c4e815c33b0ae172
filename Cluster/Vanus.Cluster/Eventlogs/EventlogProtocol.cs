using Akka.Actor;
using Akka.Event;
using MessagePack;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

/// <summary>A command for one eventlog entity (named as <see cref="EventlogId"/> says); the shard region routes it by its entity id.</summary>
internal interface IEventlogCommand : IEntityCommand;

/// <summary>What an eventlog needs to know about its bus, and the nodes its replicas live on (none: one copy); persisted when the eventlog is created.</summary>
[MessagePackObject]
internal sealed record EventlogConfig(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Eventbus,
    [property: Key(2)] string Incarnation,
    [property: Key(3)] int Index,
    [property: Key(4)] SyncPolicy Sync,
    [property: Key(5)] RetentionOptions Retention,
    [property: Key(6)] IReadOnlyList<string>? Replicas = null)
{
    /// <summary>True when the eventlog is replicated (its <see cref="Replicas"/> name more than one node).</summary>
    [IgnoreMember]
    public bool IsReplicated => Replicas is { Count: > 1 };
}

/// <summary>Creates the eventlog (idempotent); answered with <see cref="EventlogAck"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateEventlog(
    [property: Key(0)] string EntityId,
    [property: Key(1)] EventlogConfig Config) : IEventlogCommand;

/// <summary>Appends events in order; answered with <see cref="AppendReply"/> (or <see cref="Refusal"/> when nothing was tried).</summary>
[MessagePackObject]
internal sealed record AppendEvents(
    [property: Key(0)] string EntityId,
    [property: Key(1)] IReadOnlyList<Event> Events) : IEventlogCommand;

/// <summary>
/// The offset of each event of an <see cref="AppendEvents"/>, in its order; -1 for an event that was not stored, and then
/// <see cref="Error"/> says why. <see cref="Full"/>: the eventlog's disk is full (retry once space returns).
/// </summary>
[MessagePackObject]
internal sealed record AppendReply(
    [property: Key(0)] IReadOnlyList<long> Offsets,
    [property: Key(1)] string? Error,
    [property: Key(2)] bool Full = false) : IClusterMessage
{
    /// <summary>All <paramref name="count"/> events stored, from offset <paramref name="first"/> on.</summary>
    public static AppendReply Stored(long first, int count)
    {
        var offsets = new long[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = first + i;
        }

        return new AppendReply(offsets, null);
    }

    /// <summary>None of <paramref name="count"/> events stored (or not known to be), for the reason <paramref name="error"/>.</summary>
    public static AppendReply NotStored(int count, string error, bool full = false) => new(Unstored(count), error, full);

    /// <summary>An offset list saying no event was stored (-1 each), for the caller to fill in what was.</summary>
    public static long[] Unstored(int count)
    {
        var offsets = new long[count];
        Array.Fill(offsets, -1L);
        return offsets;
    }
}

/// <summary>
/// Reads up to <see cref="Count"/> events from <see cref="Offset"/> on; answered with <see cref="ReadReply"/>. When nothing
/// is stored there yet and <see cref="WaitTicks"/> is positive, the answer waits up to that long for the first event (a
/// trigger tailing its eventlog without polling). <see cref="Replica"/> names the node whose own copy of a replicated
/// eventlog is read (its committed records), instead of the leader's.
/// </summary>
[MessagePackObject]
internal sealed record ReadEvents(
    [property: Key(0)] string EntityId,
    [property: Key(1)] long Offset,
    [property: Key(2)] int Count,
    [property: Key(3)] long WaitTicks = 0,
    [property: Key(4)] string? Replica = null) : IEventlogCommand;

/// <summary>
/// Reads the events at the given offsets (any order, repeats allowed); answered with <see cref="ReadReply"/> holding those
/// still stored, by offset. Runs of adjacent offsets are read together: the timer service reads the events of a batch of
/// due timers with one message.
/// </summary>
[MessagePackObject]
internal sealed record ReadOffsets(
    [property: Key(0)] string EntityId,
    [property: Key(1)] IReadOnlyList<long> Offsets) : IEventlogCommand;

/// <summary>One stored event: offset, store time (UTC ticks) and the event.</summary>
[MessagePackObject]
internal sealed record StoredRecord(
    [property: Key(0)] long Offset,
    [property: Key(1)] long StoreTicks,
    [property: Key(2)] Event Event);

/// <summary>The events a <see cref="ReadEvents"/> found, oldest first.</summary>
[MessagePackObject]
internal sealed record ReadReply([property: Key(0)] IReadOnlyList<StoredRecord> Records) : IClusterMessage;

/// <summary>Finds the first offset stored at or after a time; answered with <see cref="OffsetReply"/>.</summary>
[MessagePackObject]
internal sealed record FindOffset(
    [property: Key(0)] string EntityId,
    [property: Key(1)] DateTimeOffset Time) : IEventlogCommand;

/// <summary>An offset.</summary>
[MessagePackObject]
internal sealed record OffsetReply([property: Key(0)] long Offset) : IClusterMessage;

/// <summary>Asks for the eventlog's earliest and next offsets; answered with <see cref="EventlogInfoReply"/>.</summary>
[MessagePackObject]
internal sealed record GetEventlogInfo([property: Key(0)] string EntityId) : IEventlogCommand;

/// <summary>
/// The eventlog's first readable offset and the offset its next event gets; for a replicated eventlog also its leader,
/// epoch and the nodes of its replicas.
/// </summary>
[MessagePackObject]
internal sealed record EventlogInfoReply(
    [property: Key(0)] long Earliest,
    [property: Key(1)] long Next,
    [property: Key(2)] string? Leader = null,
    [property: Key(3)] long Epoch = 0,
    [property: Key(4)] IReadOnlyList<string>? Replicas = null) : IClusterMessage;

/// <summary>Closes the eventlog, removes its storage and forgets it; answered with <see cref="EventlogAck"/>.</summary>
[MessagePackObject]
internal sealed record DeleteEventlog(
    [property: Key(0)] string EntityId,
    [property: Key(1)] IReadOnlyList<string>? Replicas = null) : IEventlogCommand;

/// <summary>A create or delete is done.</summary>
[MessagePackObject]
internal sealed record EventlogAck([property: Key(0)] string EntityId) : IClusterMessage;


/// <summary>The shard's hand-off message: finish in-flight work, close the log, stop.</summary>
[MessagePackObject]
internal sealed record StopEventlog : IClusterMessage
{
    public static readonly StopEventlog Instance = new();
}

/// <summary>Persisted: the eventlog was created with this configuration.</summary>
[MessagePackObject]
internal sealed record EventlogCreated([property: Key(0)] EventlogConfig Config) : IClusterMessage;

/// <summary>Persisted: a writer started with this leader epoch (one more than the previous writer's).</summary>
[MessagePackObject]
internal sealed record LeaderEpochStarted([property: Key(0)] long Epoch) : IClusterMessage;

/// <summary>Persisted: the eventlog was deleted; it answers as unknown from now on.</summary>
[MessagePackObject]
internal sealed record EventlogRemoved : IClusterMessage
{
    public static readonly EventlogRemoved Instance = new();
}

/// <summary>The eventlog's persisted state as a snapshot.</summary>
[MessagePackObject]
internal sealed record EventlogSnapshot(
    [property: Key(0)] EventlogConfig? Config,
    [property: Key(1)] long Epoch,
    [property: Key(2)] bool Removed) : IClusterMessage;

/// <summary>The log opened (or failed to); sent by the open task to the entity itself.</summary>
internal sealed record LogOpened(IEventLog? Log, Exception? Error) : INoSerializationVerificationNeeded;

/// <summary>An asynchronous append, read, lookup or maintenance run finished; the entity counts it off.</summary>
internal sealed record WorkFinished(bool WasMaintenance) : INoSerializationVerificationNeeded
{
    public static readonly WorkFinished Work = new(false);
    public static readonly WorkFinished Maintenance = new(true);
    public static readonly WorkFinished Appended = new(false) { Stored = true };

    /// <summary>An append that stored its events (the disk has room).</summary>
    public bool Stored { get; init; }

    /// <summary>Why an append was refused for a full disk, if it was.</summary>
    public string? FullDisk { get; init; }
}

/// <summary>A maintenance run failed; logged, and retried at the next tick.</summary>
internal sealed record MaintenanceFailed(string EntityId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>Time to apply retention and tier moves.</summary>
internal sealed record MaintainTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly MaintainTick Instance = new();
}

/// <summary>The log is closed (and its storage removed, for a delete); the entity finishes the command.</summary>
internal sealed record LogClosed(Exception? Error) : INoSerializationVerificationNeeded;
