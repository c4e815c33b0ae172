using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Element-wise operators with C# delegates, for sources and flows.</summary>
public static class LinqOperators
{
    /// <summary>Transforms each element; emits when the upstream emits, backpressures when the downstream does, fails if the selector throws.</summary>
    public static Source<TOut> Select<TIn, TOut>(this Source<TIn> source, Func<TIn, TOut> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return source.Via(new SelectStage<TIn, TOut>(selector));
    }

    /// <summary>Transforms each element of a flow's output (see the source overload).</summary>
    public static Flow<TIn, TOut> Select<TIn, TMid, TOut>(this Flow<TIn, TMid> flow, Func<TMid, TOut> selector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(selector);
        return flow.Via(new SelectStage<TMid, TOut>(selector));
    }

    /// <summary>Keeps the elements that satisfy the predicate; pulls again upstream for each dropped element; fails if the predicate throws.</summary>
    public static Source<T> Where<T>(this Source<T> source, Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(predicate);
        return source.Via(new WhereStage<T>(predicate));
    }

    /// <summary>Keeps the elements of a flow's output that satisfy the predicate (see the source overload).</summary>
    public static Flow<TIn, T> Where<TIn, T>(this Flow<TIn, T> flow, Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(predicate);
        return flow.Via(new WhereStage<T>(predicate));
    }

    /// <summary>Emits every element of the sequence each element maps to, in order; pulls upstream only when that sequence is exhausted.</summary>
    public static Source<TOut> SelectMany<TIn, TOut>(this Source<TIn> source, Func<TIn, IEnumerable<TOut>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return source.Via(new SelectManyStage<TIn, TOut>(selector));
    }

    /// <summary>Flattens a flow's output (see the source overload).</summary>
    public static Flow<TIn, TOut> SelectMany<TIn, TMid, TOut>(this Flow<TIn, TMid> flow, Func<TMid, IEnumerable<TOut>> selector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(selector);
        return flow.Via(new SelectManyStage<TMid, TOut>(selector));
    }

    /// <summary>Emits the first <paramref name="count"/> elements, then completes and cancels the upstream.</summary>
    public static Source<T> Take<T>(this Source<T> source, long count)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return source.Via(new TakeStage<T>(count));
    }

    /// <summary>Emits the first <paramref name="count"/> elements of a flow's output, then completes.</summary>
    public static Flow<TIn, T> Take<TIn, T>(this Flow<TIn, T> flow, long count)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return flow.Via(new TakeStage<T>(count));
    }
}
