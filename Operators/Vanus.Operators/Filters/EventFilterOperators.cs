using Vanus.Operators.Sql;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Filters;

/// <summary>Declarative event operators for sources and flows: CESQL and subscription-filter <c>Where</c>, and the Vanus <c>Transform</c>.</summary>
public static class EventFilterOperators
{
    /// <summary>
    /// Keeps the events for which the CESQL expression is Boolean true (an evaluation error drops the event). The
    /// expression is parsed here, so a bad one throws <see cref="CesqlParseException"/> while the pipeline is built.
    /// Emits when the upstream emits a passing event, pulls again for each dropped one, completes and cancels with the upstream.
    /// </summary>
    public static Source<Event> Where(this Source<Event> source, string cesql)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(cesql);
        return source.Via(new CesqlFilterStage(CesqlExpression.Parse(cesql)));
    }

    /// <summary>Keeps the events of a flow's output for which the CESQL expression is true (see the source overload).</summary>
    public static Flow<TIn, Event> Where<TIn>(this Flow<TIn, Event> flow, string cesql)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(cesql);
        return flow.Via(new CesqlFilterStage(CesqlExpression.Parse(cesql)));
    }

    /// <summary>Keeps the events for which an already compiled CESQL expression is true; emits, pulls, completes and cancels as the string overload.</summary>
    public static Source<Event> Where(this Source<Event> source, CesqlExpression expression)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(expression);
        return source.Via(new CesqlFilterStage(expression));
    }

    /// <summary>Keeps the events of a flow's output for which an already compiled CESQL expression is true.</summary>
    public static Flow<TIn, Event> Where<TIn>(this Flow<TIn, Event> flow, CesqlExpression expression)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(expression);
        return flow.Via(new CesqlFilterStage(expression));
    }

    /// <summary>
    /// Keeps the events that pass a subscription's filters (exact, prefix, suffix, all, any, not, sql, cel). Emits when
    /// the upstream emits a passing event, pulls again for each dropped one, completes and cancels with the upstream.
    /// </summary>
    public static Source<Event> Where(this Source<Event> source, SubscriptionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(filter);
        return source.Via(new SubscriptionFilterStage(filter));
    }

    /// <summary>Keeps the events of a flow's output that pass a subscription's filters (see the source overload).</summary>
    public static Flow<TIn, Event> Where<TIn>(this Flow<TIn, Event> flow, SubscriptionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(filter);
        return flow.Via(new SubscriptionFilterStage(filter));
    }

    /// <summary>
    /// Replaces each event with what the Vanus transformer makes of it, in order. Emits once per output event, pulls
    /// the next event when they are all taken, completes with the upstream, and fails the stream with the
    /// <see cref="TransformException"/> (naming the action) when an event cannot be transformed.
    /// </summary>
    public static Source<Event> Transform(this Source<Event> source, Transformer transformer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(transformer);
        return source.Via(new TransformStage(transformer));
    }

    /// <summary>Transforms each event of a flow's output (see the source overload).</summary>
    public static Flow<TIn, Event> Transform<TIn>(this Flow<TIn, Event> flow, Transformer transformer)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(transformer);
        return flow.Via(new TransformStage(transformer));
    }
}
