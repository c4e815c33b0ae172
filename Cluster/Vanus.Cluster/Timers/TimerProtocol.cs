using Akka.Actor;
using Akka.Event;
using MessagePack;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Serialization;

namespace Vanus.Cluster.Timers;

/// <summary>Starts (or keeps running) the timer actor of one timer eventlog; sent by the node once it is up.</summary>
[MessagePackObject]
internal sealed record WakeTimers([property: Key(0)] string EntityId) : IEntityCommand;

/// <summary>The shard's hand-off message: persist progress and stop.</summary>
[MessagePackObject]
internal sealed record StopTimers : IClusterMessage
{
    public static readonly StopTimers Instance = new();
}

/// <summary>
/// Timers whose due time falls in one far window (<see cref="TimerSettings.FarWindow"/> wide, starting at
/// <see cref="StartTicks"/>): not in memory, they are read again from <see cref="MinOffset"/> on when the window comes
/// within the horizon.
/// </summary>
[MessagePackObject]
internal sealed record FarBucket(
    [property: Key(0)] long StartTicks,
    [property: Key(1)] long MinOffset,
    [property: Key(2)] long Count);

/// <summary>
/// Persisted by a timer actor a few times a second while timers fire, and whenever its scan moves on.
/// <see cref="Fired"/> lists the timers appended (or dropped) since the previous record. <see cref="LeaseTicks"/> is the
/// firing lease: the actor appends no timer due after it until a record with a later lease is persisted, so after a crash
/// every unfired timer due by the lease is in doubt (a restart looks for its marker in the target bus before appending it
/// again) and every later one certainly was not appended. Every unfired timer below <see cref="Frontier"/> with a due time
/// before <see cref="LoadedUpToTicks"/> is at or after <see cref="RecoveryFrom"/>; later ones are counted in <see cref="Far"/>.
/// </summary>
[MessagePackObject]
internal sealed record TimerProgress(
    [property: Key(0)] long Frontier,
    [property: Key(1)] long LoadedUpToTicks,
    [property: Key(2)] long RecoveryFrom,
    [property: Key(3)] IReadOnlyList<FarBucket> Far,
    [property: Key(4)] IReadOnlyList<long> Fired,
    [property: Key(5)] long LeaseTicks,
    [property: Key(6)] long FiredCount,
    [property: Key(7)] long DroppedCount) : IClusterMessage;

/// <summary>One chunk of the fired-timer bitmap: bit <c>i</c> of word <c>w</c> is offset <c>Chunk × 4096 + w × 64 + i</c>.</summary>
[MessagePackObject]
internal sealed record FiredChunk(
    [property: Key(0)] long Chunk,
    [property: Key(1)] ulong[] Bits);

/// <summary>A timer actor's whole persisted state.</summary>
[MessagePackObject]
internal sealed record TimerSnapshot(
    [property: Key(0)] TimerProgress State,
    [property: Key(1)] IReadOnlyList<FiredChunk> FiredChunks) : IClusterMessage;

/// <summary>The wheel's next timer is due: sent by the actor's precise timer.</summary>
internal sealed record TimerTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly TimerTick Instance = new();
}

/// <summary>A few times a second: extend the firing lease and record what fired.</summary>
internal sealed record TimerLeaseTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly TimerLeaseTick Instance = new();
}

/// <summary>Once a second: move the horizon, persist scan progress, post the counts.</summary>
internal sealed record TimerHousekeeping : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly TimerHousekeeping Instance = new();
}

/// <summary>A read of the timer eventlog came back (or failed).</summary>
internal sealed record TimerRead(long Generation, long Offset, object Reply) : INoSerializationVerificationNeeded;

/// <summary>The bodies of a firing batch the actor did not hold came back (or failed).</summary>
internal sealed record BodiesRead(long Cycle, object Reply) : INoSerializationVerificationNeeded;

/// <summary>One target's append of a firing batch finished.</summary>
internal sealed record TargetAppended(long Cycle, TimerTarget Target, long[] Offsets, TimerAppendOutcome Outcome) : INoSerializationVerificationNeeded;

/// <summary>The markers of appends in doubt that were found in their target bus (or the search failed).</summary>
internal sealed record DoubtResolved(long Cycle, TimerTarget Target, long[] Offsets, IReadOnlySet<string>? Found, string? Error) : INoSerializationVerificationNeeded;

/// <summary>The timer eventlog exists (or creating it failed).</summary>
internal sealed record TimerLogReady(object Reply) : INoSerializationVerificationNeeded;

/// <summary>Time to try again what failed: creating the log, a read, a batch.</summary>
internal sealed record TimerRetry : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly TimerRetry Instance = new();
}
