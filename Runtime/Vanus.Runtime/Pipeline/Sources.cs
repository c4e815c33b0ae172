using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Vanus.Runtime.Pipeline;

/// <summary>Factories of the common sources.</summary>
public static class Source
{
    /// <summary>Emits the items of an enumerable in order, enumerating it lazily as the downstream pulls.</summary>
    public static Source<T> From<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new DelegateSource<T>(ctx => Enumerate(items, ctx.CancellationToken));
    }

    /// <summary>Emits the items of an async sequence, pulling it as the downstream pulls.</summary>
    public static Source<T> From<T>(IAsyncEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new DelegateSource<T>(_ => items);
    }

    /// <summary>Emits one element and completes.</summary>
    public static Source<T> Single<T>(T item) => From([item]);

    /// <summary>Completes at once without elements.</summary>
    public static Source<T> Empty<T>() => From(Array.Empty<T>());

    /// <summary>Fails at once with <paramref name="error"/>.</summary>
    public static Source<T> Failed<T>(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new DelegateSource<T>(_ => Fail<T>(error));
    }

    /// <summary>Reads a channel until it completes (and fails if the channel completes with an error).</summary>
    public static Source<T> FromChannel<T>(ChannelReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new DelegateSource<T>(ctx => reader.ReadAllAsync(ctx.CancellationToken));
    }

    /// <summary>
    /// Subscribes to an observable when run. An observable cannot be slowed down, so elements wait in a bounded
    /// buffer; <paramref name="overflow"/> says what happens when it is full (by default the producer is blocked).
    /// </summary>
    public static Source<T> FromObservable<T>(IObservable<T> observable, int bufferSize = 16, OverflowStrategy overflow = OverflowStrategy.Backpressure)
    {
        ArgumentNullException.ThrowIfNull(observable);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        return new DelegateSource<T>(ctx => ObservableReader.Read(observable, bufferSize, overflow, ctx.CancellationToken));
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

#pragma warning disable CS1998 // an iterator that only throws needs no await
    private static async IAsyncEnumerable<T> Fail<T>(Exception error)
    {
        throw error;
#pragma warning disable CS0162 // the yield makes this an iterator
        yield break;
#pragma warning restore CS0162
    }
#pragma warning restore CS1998

    private sealed class DelegateSource<T>(Func<StreamContext, IAsyncEnumerable<T>> open) : Source<T>
    {
        protected internal override IAsyncEnumerable<T> Open(StreamContext context) => open(context);
    }
}
