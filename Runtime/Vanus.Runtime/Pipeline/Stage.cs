namespace Vanus.Runtime.Pipeline;

/// <summary>
/// One processing step of a stream. A stage pulls from its upstream as it needs elements, so a slow downstream
/// holds back the whole chain (backpressure); exceptions propagate downstream and disposal propagates upstream.
/// </summary>
/// <typeparam name="TIn">Elements the stage takes.</typeparam>
/// <typeparam name="TOut">Elements the stage emits.</typeparam>
public abstract class Stage<TIn, TOut>
{
    /// <summary>Wires the stage to its upstream for one run and returns what it emits.</summary>
    protected internal abstract IAsyncEnumerable<TOut> Apply(IAsyncEnumerable<TIn> upstream, StreamContext context);
}
