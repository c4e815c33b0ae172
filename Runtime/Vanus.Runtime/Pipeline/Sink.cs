namespace Vanus.Runtime.Pipeline;

/// <summary>An immutable blueprint of a stream's end: it pulls elements and materializes a value when run.</summary>
/// <typeparam name="TIn">Elements it takes.</typeparam>
/// <typeparam name="TMat">What a run gives back, typically a task that completes with the stream.</typeparam>
public abstract class Sink<TIn, TMat>
{
    /// <summary>Starts consuming <paramref name="upstream"/> for one run and returns the materialized value.</summary>
    protected internal abstract TMat Attach(IAsyncEnumerable<TIn> upstream, StreamContext context);
}
