namespace Vanus.Operators.Timing;

/// <summary>Names one timer scheduled on a <see cref="TimingWheel{T}"/> so it can be cancelled; the default value names none.</summary>
/// <param name="Index">The timer's node in the wheel's pool.</param>
/// <param name="Generation">The node's generation when the timer was scheduled; a reused node has a newer one, so stale handles miss.</param>
public readonly record struct TimerHandle(int Index, int Generation);
