using System.Runtime.CompilerServices;
using Vanus.Operators.Sql;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Filters;

/// <summary>Emits the events for which a compiled CESQL expression is Boolean true; an evaluation error drops the event.</summary>
internal sealed class CesqlFilterStage(CesqlExpression expression) : Stage<Event, Event>
{
    protected override IAsyncEnumerable<Event> Apply(IAsyncEnumerable<Event> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<Event> Run(IAsyncEnumerable<Event> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            if (expression.Matches(e))
            {
                yield return e;
            }
        }
    }
}
