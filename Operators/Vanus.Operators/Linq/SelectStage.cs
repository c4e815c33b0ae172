using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Emits <c>selector(x)</c> for each element; a throwing selector fails the stream.</summary>
internal sealed class SelectStage<TIn, TOut>(Func<TIn, TOut> selector) : Stage<TIn, TOut>
{
    protected override IAsyncEnumerable<TOut> Apply(IAsyncEnumerable<TIn> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<TOut> Run(IAsyncEnumerable<TIn> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            yield return selector(item);
        }
    }
}
