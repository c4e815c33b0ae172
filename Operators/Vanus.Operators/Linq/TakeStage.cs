using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Emits the first <c>count</c> elements, then completes and cancels its upstream.</summary>
internal sealed class TakeStage<T>(long count) : Stage<T, T>
{
    protected override IAsyncEnumerable<T> Apply(IAsyncEnumerable<T> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<T> Run(IAsyncEnumerable<T> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        if (count <= 0)
        {
            yield break;
        }

        var taken = 0L;
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            yield return item;
            // Leaving the loop disposes the upstream enumerator: that is how cancellation travels upstream.
            if (++taken == count)
            {
                yield break;
            }
        }
    }
}
