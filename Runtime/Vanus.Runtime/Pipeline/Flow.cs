namespace Vanus.Runtime.Pipeline;

/// <summary>An immutable, reusable chain of stages with one input and one output.</summary>
/// <typeparam name="TIn">Elements the flow takes.</typeparam>
/// <typeparam name="TOut">Elements the flow emits.</typeparam>
public sealed class Flow<TIn, TOut>
{
    private readonly Func<IAsyncEnumerable<TIn>, StreamContext, IAsyncEnumerable<TOut>> _apply;

    internal Flow(Func<IAsyncEnumerable<TIn>, StreamContext, IAsyncEnumerable<TOut>> apply) => _apply = apply;

    /// <summary>Appends a stage; the result is a new flow and this one is unchanged.</summary>
    public Flow<TIn, TNext> Via<TNext>(Stage<TOut, TNext> stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var apply = _apply;
        return new Flow<TIn, TNext>((upstream, ctx) => stage.Apply(apply(upstream, ctx), ctx));
    }

    /// <summary>Appends another flow.</summary>
    public Flow<TIn, TNext> Via<TNext>(Flow<TOut, TNext> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var apply = _apply;
        return new Flow<TIn, TNext>((upstream, ctx) => next.Apply(apply(upstream, ctx), ctx));
    }

    /// <summary>Prepends this flow to a sink, giving a sink of the flow's input.</summary>
    public Sink<TIn, TMat> To<TMat>(Sink<TOut, TMat> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return new FlowSink<TMat>(this, sink);
    }

    internal IAsyncEnumerable<TOut> Apply(IAsyncEnumerable<TIn> upstream, StreamContext context) => _apply(upstream, context);

    private sealed class FlowSink<TMat>(Flow<TIn, TOut> flow, Sink<TOut, TMat> sink) : Sink<TIn, TMat>
    {
        protected internal override TMat Attach(IAsyncEnumerable<TIn> upstream, StreamContext context) => sink.Attach(flow.Apply(upstream, context), context);
    }
}

/// <summary>Factories of flows.</summary>
public static class Flow
{
    /// <summary>The identity flow, the start of a chain: <c>Flow.Create&lt;int&gt;().Select(x =&gt; x * 2)</c>.</summary>
    public static Flow<T, T> Create<T>() => new((upstream, _) => upstream);
}
