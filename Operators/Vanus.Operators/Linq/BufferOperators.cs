using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Operators that group consecutive elements into lists by count or by time.</summary>
public static class BufferOperators
{
    /// <summary>Emits lists of <paramref name="count"/> elements (the last may be shorter, emitted at completion).</summary>
    public static Source<IReadOnlyList<T>> Buffer<T>(this Source<T> source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return source.Via(new BufferStage<T>(count));
    }

    /// <summary>Emits lists of <paramref name="count"/> elements of a flow's output.</summary>
    public static Flow<TIn, IReadOnlyList<T>> Buffer<TIn, T>(this Flow<TIn, T> flow, int count)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return flow.Via(new BufferStage<T>(count));
    }

    /// <summary>
    /// Emits a list when it holds <paramref name="maxCount"/> elements or <paramref name="span"/> after its first element
    /// arrived (on the run's clock), whichever is first; never an empty list; the remainder is emitted at completion.
    /// </summary>
    public static Source<IReadOnlyList<T>> Buffer<T>(this Source<T> source, TimeSpan span, int maxCount = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return source.Via(new TimedBufferStage<T>(span, maxCount));
    }

    /// <summary>Groups a flow's output by time and count (see the source overload).</summary>
    public static Flow<TIn, IReadOnlyList<T>> Buffer<TIn, T>(this Flow<TIn, T> flow, TimeSpan span, int maxCount = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return flow.Via(new TimedBufferStage<T>(span, maxCount));
    }
}
