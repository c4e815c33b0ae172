using System.Runtime.CompilerServices;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Filters;

/// <summary>Emits the events that pass a subscription's filters; the filters never throw, so neither does the stage.</summary>
internal sealed class SubscriptionFilterStage(SubscriptionFilter filter) : Stage<Event, Event>
{
    protected override IAsyncEnumerable<Event> Apply(IAsyncEnumerable<Event> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<Event> Run(IAsyncEnumerable<Event> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            if (filter.Matches(e))
            {
                yield return e;
            }
        }
    }
}
