using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>
/// Groups elements into lists, emitting one when it holds <c>maxCount</c> elements or when <c>span</c> has passed
/// since its first element, whichever comes first (Akka's groupedWithin); never emits an empty list.
/// </summary>
internal sealed class TimedBufferStage<T>(TimeSpan span, int maxCount) : Stage<T, IReadOnlyList<T>>
{
    protected override IAsyncEnumerable<IReadOnlyList<T>> Apply(IAsyncEnumerable<T> upstream, StreamContext context) =>
        Run(upstream, context.TimeProvider, context.CancellationToken);

    private async IAsyncEnumerable<IReadOnlyList<T>> Run(IAsyncEnumerable<T> upstream, TimeProvider clock, [EnumeratorCancellation] CancellationToken ct)
    {
        using var pullStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var source = upstream.GetAsyncEnumerator(pullStop.Token);
        Task<bool>? pull = null;
        List<T>? chunk = null;
        Task? deadline = null;
        CancellationTokenSource? deadlineStop = null;
        try
        {
            while (true)
            {
                pull ??= source.MoveNextAsync().AsTask();
                if (chunk is not null && deadline is not null)
                {
                    // The upstream pull stays pending across a timeout: an enumerator allows one MoveNextAsync at a time.
                    var first = await Task.WhenAny(pull, deadline).ConfigureAwait(false);
                    if (first == deadline && !pull.IsCompleted)
                    {
                        var full = chunk;
                        chunk = null;
                        deadline = null;
                        yield return full;
                        continue;
                    }
                }

                var hasNext = await pull.ConfigureAwait(false);
                pull = null;
                if (!hasNext)
                {
                    break;
                }

                if (chunk is null)
                {
                    chunk = new List<T>(Math.Min(maxCount, 1024));
                    // The deadline starts before the next pull is issued, so a test that sees that pull knows the timer runs.
                    deadlineStop?.Dispose();
                    deadlineStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    deadline = Task.Delay(span, clock, deadlineStop.Token);
                }

                chunk.Add(source.Current);
                if (chunk.Count >= maxCount)
                {
                    await deadlineStop!.CancelAsync().ConfigureAwait(false);
                    deadline = null;
                    var full = chunk;
                    chunk = null;
                    yield return full;
                }
            }

            if (chunk is { Count: > 0 })
            {
                yield return chunk;
            }
        }
        finally
        {
            if (deadlineStop is not null)
            {
                await deadlineStop.CancelAsync().ConfigureAwait(false);
                deadlineStop.Dispose();
            }

            if (pull is { IsCompleted: false })
            {
                await pullStop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await pull.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The pull was abandoned on purpose.
                }
            }

            await source.DisposeAsync().ConfigureAwait(false);
        }
    }
}
