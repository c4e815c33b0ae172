using System.Numerics;

namespace Vanus.Operators.Windows;

/// <summary>How a window folds its elements: a fresh accumulator, a step per element, and the result read at the end.</summary>
/// <typeparam name="T">The elements.</typeparam>
/// <typeparam name="TAcc">The accumulator.</typeparam>
/// <typeparam name="TResult">What the window emits.</typeparam>
public sealed record Aggregation<T, TAcc, TResult>(Func<TAcc> Seed, Func<TAcc, T, TAcc> Add, Func<TAcc, TResult> Result);

/// <summary>The common aggregations.</summary>
public static class Aggregation
{
    /// <summary>The number of elements.</summary>
    public static Aggregation<T, long, long> Count<T>() => new(static () => 0L, static (acc, _) => acc + 1, static acc => acc);

    /// <summary>The sum of a numeric value of each element (checked: overflow fails the stream rather than wrapping).</summary>
    public static Aggregation<T, TValue, TValue> Sum<T, TValue>(Func<T, TValue> value)
        where TValue : INumber<TValue>
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(static () => TValue.Zero, (acc, x) => checked(acc + value(x)), static acc => acc);
    }

    /// <summary>The smallest value of each element.</summary>
    public static Aggregation<T, (bool Any, TValue Min), TValue> Min<T, TValue>(Func<T, TValue> value)
        where TValue : IComparable<TValue>
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(static () => (false, default!), (acc, x) =>
        {
            var v = value(x);
            return !acc.Any || v.CompareTo(acc.Min) < 0 ? (true, v) : acc;
        }, static acc => acc.Min);
    }

    /// <summary>The largest value of each element.</summary>
    public static Aggregation<T, (bool Any, TValue Max), TValue> Max<T, TValue>(Func<T, TValue> value)
        where TValue : IComparable<TValue>
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(static () => (false, default!), (acc, x) =>
        {
            var v = value(x);
            return !acc.Any || v.CompareTo(acc.Max) > 0 ? (true, v) : acc;
        }, static acc => acc.Max);
    }

    /// <summary>A custom fold; <paramref name="seed"/> is called once per window, so a mutable accumulator is safe.</summary>
    public static Aggregation<T, TAcc, TAcc> Fold<T, TAcc>(Func<TAcc> seed, Func<TAcc, T, TAcc> fold)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(fold);
        return new(seed, fold, static acc => acc);
    }
}
