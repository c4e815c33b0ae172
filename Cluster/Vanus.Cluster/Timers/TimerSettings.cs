using Akka.Actor;

namespace Vanus.Cluster.Timers;

/// <summary>What every timer actor of a node shares: the eventlog region, where due events go, the board it posts counts on, time and limits.</summary>
internal sealed record TimerSettings(IActorRef Eventlogs, TimerTargets Targets, TimerBoard Board, TimeProvider Time, TimeSpan AskTimeout)
{
    /// <summary>Timers due within this long are held in the wheel; later ones stay on disk until their window comes within it.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The width of a far window: timers beyond the horizon are counted per window and read back a window at a time.</summary>
    public TimeSpan FarWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A timer due within this long when it is read keeps its event in memory, so firing it needs no read.</summary>
    public TimeSpan HotWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most events held in memory for hot timers.</summary>
    public int MaxHot { get; init; } = 200_000;

    /// <summary>Events asked for per read of the timer eventlog.</summary>
    public int ReadBatch { get; init; } = 4096;

    /// <summary>The most timers appended in one batch (one intent record, one append per target eventlog).</summary>
    public int MaxBatch { get; init; } = 8192;

    /// <summary>How long a caught-up read waits at the eventlog for the next timer.</summary>
    public TimeSpan TailWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the horizon moves, scan progress is persisted and counts are posted.</summary>
    public TimeSpan HousekeepingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait before a failed read, creation or append is tried again.</summary>
    public TimeSpan RetryFailedIo { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Progress records between snapshots.</summary>
    public int SnapshotEvery { get; init; } = 200;

    /// <summary>How far ahead of now the firing lease is extended: timers due within it fire without waiting for the journal.</summary>
    public TimeSpan LeaseAhead { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the lease is extended (when timers are due within it) and what fired is recorded.</summary>
    public TimeSpan LeaseInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How far before an in-doubt batch's start its target bus is searched for markers: covers clock steps between the record and the append.</summary>
    public TimeSpan DoubtSlack { get; init; } = TimeSpan.FromSeconds(5);
}


/// <summary>How an append of due events ended.</summary>
internal enum TimerAppendKind
{
    /// <summary>Every event is stored.</summary>
    Stored,

    /// <summary>The target bus (that incarnation of it) no longer exists: the timers are dropped.</summary>
    Gone,

    /// <summary>Nothing was stored (overloaded, stopping): try again later.</summary>
    Retry,

    /// <summary>Some or all may be stored (a timeout, a partial failure): look for the markers before trying again.</summary>
    Unknown,
}

/// <summary>The outcome of an append of due events, with the reason when it did not store them all.</summary>
internal sealed record TimerAppendOutcome(TimerAppendKind Kind, string? Error)
{
    public static readonly TimerAppendOutcome Stored = new(TimerAppendKind.Stored, null);
}
