using Akka.Actor;
using Akka.Event;
using MessagePack;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Serialization;

namespace Vanus.Cluster.Schedules;

/// <summary>A command for one schedule actor (named as <see cref="ScheduleIds"/> says); the shard region routes it by its entity id.</summary>
internal interface IScheduleCommand : IEntityCommand;

/// <summary>Starts a schedule's actor with its catalog entry (idempotent); answered with <see cref="ScheduleAck"/>.</summary>
[MessagePackObject]
internal sealed record ConfigureSchedule(
    [property: Key(0)] string EntityId,
    [property: Key(1)] ScheduleEntry Entry) : IScheduleCommand;

/// <summary>Asks for progress; answered with <see cref="ScheduleStatus"/>.</summary>
[MessagePackObject]
internal sealed record GetScheduleStatus([property: Key(0)] string EntityId) : IScheduleCommand;

/// <summary>Stops a deleted schedule for good and deletes its journal, once an emission in flight has finished; answered with <see cref="ScheduleAck"/>.</summary>
[MessagePackObject]
internal sealed record ForgetSchedule([property: Key(0)] string EntityId) : IScheduleCommand;

/// <summary>A schedule command was done.</summary>
[MessagePackObject]
internal sealed record ScheduleAck([property: Key(0)] string EntityId) : IClusterMessage;

/// <summary>
/// A schedule's progress: whether it has its entry yet, the occurrence it waits for (or is emitting), the last one emitted,
/// the counts, whether it stopped for good, and its last error.
/// </summary>
[MessagePackObject]
internal sealed record ScheduleStatus(
    [property: Key(0)] bool Configured,
    [property: Key(1)] DateTimeOffset? Next,
    [property: Key(2)] DateTimeOffset? LastFired,
    [property: Key(3)] long Fired,
    [property: Key(4)] long Missed,
    [property: Key(5)] bool Halted,
    [property: Key(6)] string? LastError,
    [property: Key(7)] DateTimeOffset? LastErrorTime) : IClusterMessage;

/// <summary>The shard's hand-off message: finish an emission in flight, then stop.</summary>
[MessagePackObject]
internal sealed record StopSchedule : IClusterMessage
{
    public static readonly StopSchedule Instance = new();
}

/// <summary>
/// Persisted before an occurrence's event is appended: which occurrence, the time the append began (where the in-doubt check
/// starts reading after a crash) and how many occurrences the event stands for when they were missed (0 when on time).
/// </summary>
[MessagePackObject]
internal sealed record ScheduleFiring(
    [property: Key(0)] DateTimeOffset Occurrence,
    [property: Key(1)] DateTimeOffset At,
    [property: Key(2)] long Missed) : IClusterMessage;

/// <summary>Persisted once an occurrence's event is stored in the bus (appended now, or found there by the in-doubt check).</summary>
[MessagePackObject]
internal sealed record ScheduleFired([property: Key(0)] DateTimeOffset Occurrence) : IClusterMessage;

/// <summary>Persisted when the schedule stops for good (its eventbus is gone): why and when.</summary>
[MessagePackObject]
internal sealed record ScheduleHalted(
    [property: Key(0)] string Reason,
    [property: Key(1)] DateTimeOffset At) : IClusterMessage;

/// <summary>A schedule actor's persisted state as a snapshot.</summary>
[MessagePackObject]
internal sealed record ScheduleSnapshot(
    [property: Key(0)] DateTimeOffset? LastFired,
    [property: Key(1)] long Fired,
    [property: Key(2)] long Missed,
    [property: Key(3)] ScheduleFiring? Pending,
    [property: Key(4)] ScheduleHalted? Halted) : IClusterMessage;

/// <summary>Time to look at the clock: an occurrence may be due, or a failed emission may be tried again.</summary>
internal sealed record ScheduleTick(long Generation) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>An append of an occurrence's event finished; <see cref="Error"/> is null when it was stored.</summary>
internal sealed record AppendDone(DateTimeOffset Occurrence, Exception? Error) : INoSerializationVerificationNeeded;

/// <summary>The in-doubt check finished: whether the occurrence's event is already in the bus, or why the check failed.</summary>
internal sealed record CheckDone(DateTimeOffset Occurrence, bool Found, Exception? Error) : INoSerializationVerificationNeeded;
