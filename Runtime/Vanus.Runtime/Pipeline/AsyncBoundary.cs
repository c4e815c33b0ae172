using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Vanus.Runtime.Pipeline;

/// <summary>
/// Runs the upstream on its own task, handing elements over through a bounded buffer: the upstream works ahead by
/// at most the buffer's size, then waits (backpressure). Errors cross the boundary; disposal stops the upstream task.
/// </summary>
internal sealed class AsyncBoundary<T>(int? bufferSize) : Stage<T, T>
{
    protected internal override IAsyncEnumerable<T> Apply(IAsyncEnumerable<T> upstream, StreamContext context) =>
        Run(upstream, bufferSize ?? context.Settings.BufferSize, context.CancellationToken);

    private static async IAsyncEnumerable<T> Run(IAsyncEnumerable<T> upstream, int size, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(size) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? failure = null;
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in upstream.WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    await channel.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested || ct.IsCancellationRequested)
            {
                failure = e;
            }
            catch (OperationCanceledException)
            {
                // Stopped because the downstream went away: not a failure.
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            while (await channel.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }
}

/// <summary>The async-boundary operator.</summary>
public static class AsyncBoundaryOperators
{
    /// <summary>
    /// Inserts an async boundary: everything before it runs on its own task and may work ahead by up to
    /// <paramref name="bufferSize"/> elements (default: the run's <see cref="StreamSettings.BufferSize"/>), then backpressures.
    /// </summary>
    public static Source<T> Async<T>(this Source<T> source, int? bufferSize = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (bufferSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "A buffer holds at least one element.");
        }

        return source.Via(new AsyncBoundary<T>(bufferSize));
    }

    /// <summary>Inserts an async boundary at the end of a flow (see the source overload).</summary>
    public static Flow<TIn, T> Async<TIn, T>(this Flow<TIn, T> flow, int? bufferSize = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (bufferSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "A buffer holds at least one element.");
        }

        return flow.Via(new AsyncBoundary<T>(bufferSize));
    }
}
