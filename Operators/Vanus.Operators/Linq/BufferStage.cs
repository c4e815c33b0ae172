using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Linq;

/// <summary>Groups elements into lists of <c>count</c>; the last list may be shorter and is emitted when the upstream completes.</summary>
internal sealed class BufferStage<T>(int count) : Stage<T, IReadOnlyList<T>>
{
    protected override IAsyncEnumerable<IReadOnlyList<T>> Apply(IAsyncEnumerable<T> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<IReadOnlyList<T>> Run(IAsyncEnumerable<T> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        var chunk = new List<T>(count);
        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            chunk.Add(item);
            if (chunk.Count == count)
            {
                yield return chunk;
                chunk = new List<T>(count);
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
