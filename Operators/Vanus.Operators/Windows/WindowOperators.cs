using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Windows;

/// <summary>Event-time window operators: tumbling and sliding windows with an aggregation and a lateness allowance.</summary>
public static class WindowOperators
{
    /// <summary>
    /// Aggregates elements into back-to-back windows of <paramref name="size"/> by event time; emits a window when the
    /// latest event time seen passes its end plus the allowed lateness, and the open ones when the upstream completes.
    /// </summary>
    public static Source<Window<TResult>> TumblingWindow<T, TAcc, TResult>(
        this Source<T> source,
        TimeSpan size,
        Func<T, DateTimeOffset> eventTime,
        Aggregation<T, TAcc, TResult> aggregation,
        WindowOptions? options = null,
        Action<T>? onLate = null) => SlidingWindow(source, size, size, eventTime, aggregation, options, onLate);

    /// <summary>
    /// Aggregates elements into overlapping windows of <paramref name="size"/> starting every <paramref name="slide"/> by
    /// event time (an element falls into every window that covers it); emission as for tumbling windows.
    /// </summary>
    public static Source<Window<TResult>> SlidingWindow<T, TAcc, TResult>(
        this Source<T> source,
        TimeSpan size,
        TimeSpan slide,
        Func<T, DateTimeOffset> eventTime,
        Aggregation<T, TAcc, TResult> aggregation,
        WindowOptions? options = null,
        Action<T>? onLate = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(CreateStage(size, slide, eventTime, aggregation, options, onLate));
    }

    /// <summary>Tumbling windows over a flow's output (see the source overload).</summary>
    public static Flow<TIn, Window<TResult>> TumblingWindow<TIn, T, TAcc, TResult>(
        this Flow<TIn, T> flow,
        TimeSpan size,
        Func<T, DateTimeOffset> eventTime,
        Aggregation<T, TAcc, TResult> aggregation,
        WindowOptions? options = null,
        Action<T>? onLate = null) => SlidingWindow(flow, size, size, eventTime, aggregation, options, onLate);

    /// <summary>Sliding windows over a flow's output (see the source overload).</summary>
    public static Flow<TIn, Window<TResult>> SlidingWindow<TIn, T, TAcc, TResult>(
        this Flow<TIn, T> flow,
        TimeSpan size,
        TimeSpan slide,
        Func<T, DateTimeOffset> eventTime,
        Aggregation<T, TAcc, TResult> aggregation,
        WindowOptions? options = null,
        Action<T>? onLate = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(CreateStage(size, slide, eventTime, aggregation, options, onLate));
    }

    private static EventTimeWindowStage<T, TAcc, TResult> CreateStage<T, TAcc, TResult>(
        TimeSpan size, TimeSpan slide, Func<T, DateTimeOffset> eventTime, Aggregation<T, TAcc, TResult> aggregation, WindowOptions? options, Action<T>? onLate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slide, TimeSpan.Zero);
        if (slide > size)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, $"The slide must not exceed the window size ({size}); elements between windows would belong to none.");
        }

        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentNullException.ThrowIfNull(aggregation);
        return new EventTimeWindowStage<T, TAcc, TResult>(size, slide, eventTime, aggregation, options ?? WindowOptions.Default, onLate);
    }
}
