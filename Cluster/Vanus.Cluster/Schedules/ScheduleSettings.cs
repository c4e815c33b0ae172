using Vanus.Cluster.Broker;

namespace Vanus.Cluster.Schedules;

/// <summary>
/// What every schedule actor of a node shares: the node's path to its eventbuses, the clock its timers run on, and its
/// retry and snapshot settings.
/// </summary>
internal sealed record ScheduleSettings(IEventbusAppender Bus, TimeProvider Time)
{
    /// <summary>The waits before a failed append (or in-doubt check) is tried again; the last repeats.</summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// How far before a firing's recorded time the in-doubt check starts reading the target bus: store times come from the
    /// clock of the node that holds each eventlog, which may run a little behind this one's.
    /// </summary>
    public TimeSpan CheckMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How late an occurrence may be emitted and still count as on time rather than missed.</summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a schedule looks again whether the node is ready, while the node starts.</summary>
    public TimeSpan ReadyPoll { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Events read per request by the in-doubt check.</summary>
    public int CheckBatch { get; init; } = 512;

    /// <summary>Fired occurrences between snapshots.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>
    /// The longest single timer wait; a farther occurrence is waited for in steps (a timer cannot be set past about 49
    /// days, and a step also bounds how long a wrong wait could last).
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromHours(1);
}
