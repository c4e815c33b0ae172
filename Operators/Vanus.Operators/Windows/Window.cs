namespace Vanus.Operators.Windows;

/// <summary>One closed event-time window: its bounds [Start, End), how many elements fell in it, and the aggregate.</summary>
/// <typeparam name="TResult">The aggregate's type.</typeparam>
public sealed record Window<TResult>(DateTimeOffset Start, DateTimeOffset End, long Count, TResult Value);

/// <summary>What a window stage does with an element that arrives after its window was emitted.</summary>
public enum LateEventPolicy
{
    /// <summary>Fail the stream with <see cref="LateEventException"/> (the default: nothing is dropped silently).</summary>
    Fail,
    /// <summary>Leave the element out of windows already emitted (and report it to the late-event callback, if any).</summary>
    Drop,
}

/// <summary>Options of event-time windows.</summary>
public sealed record WindowOptions
{
    /// <summary>The defaults: no lateness allowance, late elements fail the stream.</summary>
    public static WindowOptions Default { get; } = new();

    private readonly TimeSpan _allowedLateness;

    /// <summary>How long after a window's end (in event time) it stays open for out-of-order elements before it is emitted.</summary>
    public TimeSpan AllowedLateness
    {
        get => _allowedLateness;
        init => _allowedLateness = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The lateness allowance cannot be negative.");
    }

    /// <summary>What happens to an element whose window was already emitted.</summary>
    public LateEventPolicy LateEvents { get; init; } = LateEventPolicy.Fail;
}

/// <summary>Thrown into the stream when an element arrives after its window was emitted and the policy is <see cref="LateEventPolicy.Fail"/>.</summary>
public sealed class LateEventException : Exception
{
    /// <summary>Creates the exception for an element at <paramref name="eventTime"/> against the current watermark.</summary>
    public LateEventException(DateTimeOffset eventTime, DateTimeOffset watermark, TimeSpan allowedLateness)
        : base($"An element with event time {eventTime:O} arrived after its window closed (watermark {watermark:O}, allowed lateness {allowedLateness}). Raise WindowOptions.AllowedLateness or set LateEvents = Drop.")
    {
        EventTime = eventTime;
        Watermark = watermark;
    }

    /// <summary>The late element's event time.</summary>
    public DateTimeOffset EventTime { get; }

    /// <summary>The watermark (latest event time seen minus the allowance) when it arrived.</summary>
    public DateTimeOffset Watermark { get; }
}
