using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Emits the elements for which the predicate holds; a throwing predicate fails the stream.</summary>
internal sealed class WhereStage<T>(Func<T, bool> predicate) : Stage<T, T>
{
    protected override IAsyncEnumerable<T> Apply(IAsyncEnumerable<T> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<T> Run(IAsyncEnumerable<T> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            if (predicate(item))
            {
                yield return item;
            }
        }
    }
}
