using System.Threading.Channels;

namespace Vanus.Runtime.Pipeline;

/// <summary>Factories of the common sinks; each materializes a task that completes, fails or is cancelled with the stream.</summary>
public static class Sink
{
    /// <summary>Calls <paramref name="action"/> for each element, one at a time.</summary>
    public static Sink<T, Task> ForEach<T>(Action<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new ActionSink<T>(async (upstream, ct) =>
        {
            await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
            {
                action(item);
            }
        });
    }

    /// <summary>Awaits <paramref name="action"/> for each element before pulling the next (so a slow action backpressures the stream).</summary>
    public static Sink<T, Task> ForEachAsync<T>(Func<T, CancellationToken, ValueTask> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new ActionSink<T>(async (upstream, ct) =>
        {
            await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
            {
                await action(item, ct).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Consumes and discards every element.</summary>
    public static Sink<T, Task> Ignore<T>() => ForEach<T>(static _ => { });

    /// <summary>Collects every element into a list, available when the stream completes.</summary>
    public static Sink<T, Task<IReadOnlyList<T>>> ToList<T>() => new TaskSink<T, IReadOnlyList<T>>(async (upstream, ct) =>
    {
        var list = new List<T>();
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    });

    /// <summary>Takes the first element and cancels the rest of the stream; fails if the stream is empty.</summary>
    public static Sink<T, Task<T>> First<T>() => new TaskSink<T, T>(async (upstream, ct) =>
    {
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            return item;
        }

        throw new InvalidOperationException("The stream completed without elements.");
    });

    /// <summary>Folds every element into an accumulator, available when the stream completes.</summary>
    public static Sink<T, Task<TAcc>> Aggregate<T, TAcc>(TAcc seed, Func<TAcc, T, TAcc> fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        return new TaskSink<T, TAcc>(async (upstream, ct) =>
        {
            var acc = seed;
            await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
            {
                acc = fold(acc, item);
            }

            return acc;
        });
    }

    /// <summary>Writes each element to a channel (waiting while it is full) and completes the channel with the stream.</summary>
    public static Sink<T, Task> ToChannel<T>(ChannelWriter<T> writer, bool complete = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new ActionSink<T>(async (upstream, ct) =>
        {
            try
            {
                await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
                {
                    await writer.WriteAsync(item, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (complete)
            {
                writer.TryComplete(e);
                throw;
            }

            if (complete)
            {
                writer.TryComplete();
            }
        });
    }

    /// <summary>Signals an observer: OnNext per element, then OnCompleted or OnError.</summary>
    public static Sink<T, Task> ToObserver<T>(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return new ActionSink<T>(async (upstream, ct) =>
        {
            try
            {
                await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
                {
                    observer.OnNext(item);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // A cancelled run is the subscriber's own doing: Rx says nothing more after Dispose.
                throw;
            }
            catch (Exception e)
            {
                observer.OnError(e);
                throw;
            }

            observer.OnCompleted();
        });
    }

    /// <summary>A sink whose consuming loop runs on the thread pool and whose result is a task.</summary>
    private sealed class TaskSink<T, TResult>(Func<IAsyncEnumerable<T>, CancellationToken, Task<TResult>> consume) : Sink<T, Task<TResult>>
    {
        // The loop starts on the thread pool so that Run returns at once even for a fully synchronous source.
        protected internal override Task<TResult> Attach(IAsyncEnumerable<T> upstream, StreamContext context) =>
            Task.Run(() => consume(upstream, context.CancellationToken), CancellationToken.None);
    }

    /// <summary>A sink whose consuming loop runs on the thread pool and whose result is a plain task.</summary>
    private sealed class ActionSink<T>(Func<IAsyncEnumerable<T>, CancellationToken, Task> consume) : Sink<T, Task>
    {
        protected internal override Task Attach(IAsyncEnumerable<T> upstream, StreamContext context) =>
            Task.Run(() => consume(upstream, context.CancellationToken), CancellationToken.None);
    }
}
