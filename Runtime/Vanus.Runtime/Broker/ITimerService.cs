namespace Vanus.Runtime.Broker;

/// <summary>The node's timer service: events held until their <see cref="DeliveryTimes.Attribute"/>, appended to their bus when due.</summary>
public interface ITimerService
{
    /// <summary>The service's counts now, summed over the timer eventlogs this node serves.</summary>
    TimerStats Stats { get; }
}

/// <summary>
/// The timer service's counts: timers waiting (<see cref="Pending"/>, of which <see cref="InMemory"/> are in the wheel and the
/// rest on disk only), appended to their bus (<see cref="Fired"/>), dropped because their bus was deleted
/// (<see cref="Dropped"/>), and whether every timer eventlog has recovered (<see cref="Ready"/>).
/// </summary>
public sealed record TimerStats(long Pending, long InMemory, long Fired, long Dropped, bool Ready);
