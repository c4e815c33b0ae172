namespace Vanus.Runtime.Pipeline;

/// <summary>A source connected to a sink: a complete blueprint that can be run any number of times.</summary>
/// <typeparam name="TMat">What each run gives back.</typeparam>
public sealed class RunnableGraph<TMat>
{
    private readonly Func<StreamContext, TMat> _materialize;

    internal RunnableGraph(Func<StreamContext, TMat> materialize) => _materialize = materialize;

    /// <summary>Runs the graph with default settings; cancelling the token stops every stage.</summary>
    public TMat Run(CancellationToken cancellationToken = default) => Run(StreamSettings.Default, cancellationToken);

    /// <summary>Runs the graph with explicit settings; cancelling the token stops every stage.</summary>
    public TMat Run(StreamSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return _materialize(new StreamContext(settings, cancellationToken));
    }
}
