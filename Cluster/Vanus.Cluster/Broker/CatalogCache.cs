using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>
/// This node's copy of the catalog: loaded from the controller at start, then replaced by every newer version a reply or
/// the catalog topic brings. The hot path (routing an append) reads it without asking anyone.
/// </summary>
internal sealed class CatalogCache
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _waitersGate = new();
    private readonly List<(long Version, TaskCompletionSource Reached)> _waiters = [];
    private CatalogIndex _current = CatalogIndex.Empty;

    /// <summary>The newest version held.</summary>
    public CatalogIndex Current => Volatile.Read(ref _current);

    /// <summary>Completes when the catalog is first loaded; fails if the node stops before.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>True once the catalog has been loaded.</summary>
    public bool IsLoaded => _loaded.Task.IsCompletedSuccessfully;

    /// <summary>Takes a catalog version if it is newer than the one held.</summary>
    public void Apply(CatalogView view)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (view.Version <= current.Version)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _current, new CatalogIndex(view), current) == current)
            {
                WakeWaiters(view.Version);
                return;
            }
        }
    }

    /// <summary>Completes once this node holds catalog <paramref name="version"/> or a newer one.</summary>
    public Task ReachedAsync(long version, CancellationToken cancellationToken)
    {
        lock (_waitersGate)
        {
            if (Current.Version >= version)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Asks the controller for the catalog until it answers (the singleton may still be starting), then counts as loaded.</summary>
    public async Task LoadAsync(IActorRef controller, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var attempt = timeout < TimeSpan.FromSeconds(5) ? timeout : TimeSpan.FromSeconds(5);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                switch (await controller.Ask<object>(GetCatalog.Instance, attempt, cancellationToken).ConfigureAwait(false))
                {
                    case CatalogView view:
                        Apply(view);
                        _loaded.TrySetResult();
                        return;
                    case Messaging.Refusal:
                        // The controller is starting or moving (a new leader of __meta while the cluster forms): ask again.
                        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                        break;
                    case var other:
                        throw new InvalidOperationException($"the controller answered the catalog request with {other.GetType().Name}");
                }
            }
            catch (AskTimeoutException)
            {
                // The proxy has not found the controller yet (the cluster is still forming): ask again.
            }
        }
    }

    /// <summary>Fails the wait of anyone still waiting for the load: the node stopped before it was ready.</summary>
    public void Abandon(Exception reason) => _loaded.TrySetException(reason);

    /// <summary>The catalog to serve a call with; throws <see cref="BrokerErrorKind.Unavailable"/> before the first load.</summary>
    public CatalogIndex Serving() => IsLoaded
        ? Current
        : throw new BrokerException(BrokerErrorKind.Unavailable, "the node is not ready yet: it is still loading its catalog from the controller");

    private void WakeWaiters(long version)
    {
        lock (_waitersGate)
        {
            _waiters.RemoveAll(w => w.Version <= version && w.Reached.TrySetResult());
        }
    }
}
