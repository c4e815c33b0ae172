using System.Runtime.CompilerServices;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Filters;

/// <summary>Emits what the transformer makes of each event, in order; a <see cref="TransformException"/> fails the stream with the action that failed.</summary>
internal sealed class TransformStage(Transformer transformer) : Stage<Event, Event>
{
    protected override IAsyncEnumerable<Event> Apply(IAsyncEnumerable<Event> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<Event> Run(IAsyncEnumerable<Event> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            foreach (var output in transformer.Apply(e))
            {
                yield return output;
            }
        }
    }
}
