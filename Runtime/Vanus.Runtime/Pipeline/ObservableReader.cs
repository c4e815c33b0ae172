using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Vanus.Runtime.Pipeline;

/// <summary>Turns a push-based observable into a pulled sequence through a bounded channel.</summary>
internal static class ObservableReader
{
    public static async IAsyncEnumerable<T> Read<T>(IObservable<T> observable, int bufferSize, OverflowStrategy overflow, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(bufferSize)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = overflow switch
            {
                OverflowStrategy.DropNewest => BoundedChannelFullMode.DropWrite,
                OverflowStrategy.DropOldest => BoundedChannelFullMode.DropOldest,
                _ => BoundedChannelFullMode.Wait,
            },
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var observer = new ChannelObserver<T>(channel.Writer, overflow, bufferSize, stop.Token);
        // Subscribe on the thread pool: a synchronous observable pushes inside Subscribe, and under backpressure it
        // must block its own thread, never the reader's.
        var subscription = Task.Run(() => observable.Subscribe(observer), CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            // Release a producer blocked on a full buffer, then unsubscribe.
            await stop.CancelAsync().ConfigureAwait(false);
            (await subscription.ConfigureAwait(false)).Dispose();
        }
    }

    private sealed class ChannelObserver<T>(ChannelWriter<T> writer, OverflowStrategy overflow, int capacity, CancellationToken stop) : IObserver<T>
    {
        public void OnCompleted() => writer.TryComplete();

        public void OnError(Exception error) => writer.TryComplete(error);

        public void OnNext(T value)
        {
            if (writer.TryWrite(value))
            {
                return;
            }

            switch (overflow)
            {
                case OverflowStrategy.Fail:
                    writer.TryComplete(new BufferOverflowException(capacity));
                    break;
                case OverflowStrategy.Backpressure:
                    try
                    {
                        // Rx's OnNext is synchronous: the only way to slow the producer is to block its thread.
                        writer.WriteAsync(value, stop).AsTask().GetAwaiter().GetResult();
                    }
                    catch (OperationCanceledException)
                    {
                        // The stream stopped; the element goes nowhere because nobody reads any more.
                    }
                    catch (ChannelClosedException)
                    {
                    }

                    break;
                default:
                    // DropNewest/DropOldest: the channel's own full mode has already applied the chosen loss.
                    break;
            }
        }
    }
}
