namespace Vanus.Runtime.Pipeline;

/// <summary>An immutable blueprint of a stream with one output; nothing flows until it is run with a sink.</summary>
/// <typeparam name="T">The elements it emits.</typeparam>
public abstract class Source<T>
{
    /// <summary>Starts the source for one run: the returned sequence is pulled by the downstream.</summary>
    protected internal abstract IAsyncEnumerable<T> Open(StreamContext context);

    /// <summary>Appends a stage; the result is a new source and this one is unchanged.</summary>
    public Source<TOut> Via<TOut>(Stage<T, TOut> stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return new StagedSource<T, TOut>(this, stage.Apply);
    }

    /// <summary>Appends every stage of a flow.</summary>
    public Source<TOut> Via<TOut>(Flow<T, TOut> flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new StagedSource<T, TOut>(this, flow.Apply);
    }

    /// <summary>Connects a sink, giving a graph that can be run (any number of times).</summary>
    public RunnableGraph<TMat> To<TMat>(Sink<T, TMat> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return new RunnableGraph<TMat>(ctx => sink.Attach(Open(ctx), ctx));
    }

    /// <summary>Runs the stream into <paramref name="sink"/> and returns what the sink materializes (usually a task).</summary>
    public TMat RunWith<TMat>(Sink<T, TMat> sink, CancellationToken cancellationToken = default) => To(sink).Run(cancellationToken);

    /// <summary>Runs the stream into <paramref name="sink"/> with explicit settings (a clock, buffer sizes).</summary>
    public TMat RunWith<TMat>(Sink<T, TMat> sink, StreamSettings settings, CancellationToken cancellationToken = default) => To(sink).Run(settings, cancellationToken);

    /// <summary>Runs the stream, calling <paramref name="action"/> for each element; completes when the stream does.</summary>
    public Task RunForEachAsync(Action<T> action, CancellationToken cancellationToken = default) => RunWith(Sink.ForEach(action), cancellationToken);

    private sealed class StagedSource<TIn, TOut>(Source<TIn> upstream, Func<IAsyncEnumerable<TIn>, StreamContext, IAsyncEnumerable<TOut>> apply) : Source<TOut>
    {
        protected internal override IAsyncEnumerable<TOut> Open(StreamContext context) => apply(upstream.Open(context), context);
    }
}
