using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Emits every element of <c>selector(x)</c> in order before pulling the next upstream element.</summary>
internal sealed class SelectManyStage<TIn, TOut>(Func<TIn, IEnumerable<TOut>> selector) : Stage<TIn, TOut>
{
    protected override IAsyncEnumerable<TOut> Apply(IAsyncEnumerable<TIn> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<TOut> Run(IAsyncEnumerable<TIn> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            foreach (var inner in selector(item))
            {
                ct.ThrowIfCancellationRequested();
                yield return inner;
            }
        }
    }
}
