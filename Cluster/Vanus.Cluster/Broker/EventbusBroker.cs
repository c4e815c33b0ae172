using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Triggers;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>
/// The node's <see cref="IEventbusBroker"/>. Management calls go to the controller singleton; appends and reads go
/// straight to the eventlog shard region, one ask per eventlog touched, routed with the broker's local copy of the catalog
/// (loaded from the controller at start, then replaced by every newer version a reply or the catalog topic brings).
/// </summary>
internal sealed partial class EventbusBroker : IEventbusBroker, ISubscriptionBroker, Timers.ITimerTargets
{
    private readonly IActorRef _controller;
    private readonly IActorRef _eventlogs;
    private readonly IActorRef _triggers;
    private readonly TimeSpan _timeout;
    private readonly long _maxPendingBytes;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _roundRobin = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _waitersGate = new();
    private readonly List<(long Version, TaskCompletionSource Reached)> _waiters = [];
    private CatalogIndex _catalog = CatalogIndex.Empty;
    private long _pendingBytes;
    private int _inflight;
    private volatile bool _stopping;

    public EventbusBroker(IActorRef controller, IActorRef eventlogs, IActorRef triggers, NodeOptions options)
    {
        _controller = controller;
        _eventlogs = eventlogs;
        _triggers = triggers;
        _timeout = options.RequestTimeout;
        _maxPendingBytes = options.MaxPendingBytes;
        _time = options.Time;
        _timerBus = new EventbusEntry(
            EventbusNames.DefaultNamespace, Timers.TimerIds.BusName, Timers.TimerIds.Incarnation, options.TimerEventlogs, 1,
            SyncPolicy.Always, RetentionOptions.Forever, default, null, null);
    }

    public bool IsReady => _ready.Task.IsCompletedSuccessfully && !_stopping;

    /// <summary>Completes when the catalog is first loaded.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Bytes of appends in flight now.</summary>
    internal long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Takes a catalog version if it is newer than the one held.</summary>
    public void Apply(CatalogView view)
    {
        while (true)
        {
            var current = Volatile.Read(ref _catalog);
            if (view.Version <= current.Version)
            {
                return;
            }

            var next = new CatalogIndex(view);
            if (Interlocked.CompareExchange(ref _catalog, next, current) == current)
            {
                WakeWaiters(view.Version);
                foreach (var incarnation in _roundRobin.Keys)
                {
                    if (!view.Eventbuses.Any(b => b.Incarnation == incarnation))
                    {
                        _roundRobin.TryRemove(incarnation, out _);
                    }
                }

                return;
            }
        }
    }

    /// <summary>The version of the catalog copy this broker routes with.</summary>
    internal long CatalogVersion => Volatile.Read(ref _catalog).Version;

    /// <summary>Completes once this broker holds catalog <paramref name="version"/> or a newer one.</summary>
    internal Task CatalogReachedAsync(long version, CancellationToken cancellationToken)
    {
        lock (_waitersGate)
        {
            if (CatalogVersion >= version)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    private void WakeWaiters(long version)
    {
        lock (_waitersGate)
        {
            _waiters.RemoveAll(w => w.Version <= version && w.Reached.TrySetResult());
        }
    }

    /// <summary>Asks the controller for the catalog until it answers (the singleton may still be starting), then becomes ready.</summary>
    public async Task LoadCatalogAsync(CancellationToken cancellationToken)
    {
        var attempt = _timeout < TimeSpan.FromSeconds(5) ? _timeout : TimeSpan.FromSeconds(5);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var view = await _controller.Ask<CatalogView>(GetCatalog.Instance, attempt, cancellationToken).ConfigureAwait(false);
                Apply(view);
                _ready.TrySetResult();
                return;
            }
            catch (AskTimeoutException)
            {
                // The proxy has not found the singleton yet (the cluster is still forming): ask again.
            }
        }
    }

    /// <summary>Fails the readiness wait of anyone still waiting: the node stopped before it was ready.</summary>
    public void AbandonReadiness(Exception reason) => _ready.TrySetException(reason);

    /// <summary>Refuses new appends and completes once those in flight have finished.</summary>
    public Task StopTakingAppendsAsync()
    {
        _stopping = true;
        if (Volatile.Read(ref _inflight) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }

    private bool TryEnter()
    {
        Interlocked.Increment(ref _inflight);
        if (_stopping)
        {
            Exit();
            return false;
        }

        return true;
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _inflight) == 0 && _stopping)
        {
            _drained.TrySetResult();
        }
    }

    private bool TryReserve(long bytes)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _pendingBytes);
            if (current + bytes > _maxPendingBytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _pendingBytes, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    private void Release(long bytes) => Interlocked.Add(ref _pendingBytes, -bytes);

    private CatalogIndex Serving()
    {
        if (_stopping)
        {
            throw new BrokerException(BrokerErrorKind.Unavailable, "the node is stopping");
        }

        if (!_ready.Task.IsCompletedSuccessfully)
        {
            throw new BrokerException(BrokerErrorKind.Unavailable, "the node is not ready yet: it is still loading its catalog from the controller");
        }

        return Volatile.Read(ref _catalog);
    }

    private static NamespaceEntry FindNamespace(CatalogIndex catalog, string @namespace) =>
        catalog.Namespace(@namespace) ?? throw NamespaceNotFound(@namespace);

    private static EventbusEntry FindEventbus(CatalogIndex catalog, string @namespace, string name) =>
        catalog.Eventbus(@namespace, name)
        ?? throw (catalog.Namespace(@namespace) is null
            ? NamespaceNotFound(@namespace)
            : new BrokerException(BrokerErrorKind.NotFound, $"eventbus '{name}' does not exist in namespace '{@namespace}'", "eventbus"));

    private static BrokerException NamespaceNotFound(string @namespace) =>
        new(BrokerErrorKind.NotFound, $"namespace '{@namespace}' does not exist", "namespace");

    private static BrokerException Unexpected(object reply) =>
        new(BrokerErrorKind.Unavailable, $"unexpected reply {reply.GetType().Name}");

    private static BrokerException NoAnswer(string who, TimeSpan timeout, Exception inner) =>
        new(BrokerErrorKind.Unavailable, $"{who} did not answer within {timeout.TotalSeconds:0.#} s", inner: inner);

    /// <summary>Asks one eventlog; a refusal becomes a <see cref="BrokerException"/> of its kind, no answer an unavailable one.</summary>
    private Task<T> AskEventlogAsync<T>(object command, string entityId, CancellationToken cancellationToken) =>
        AskAsync<T>(_eventlogs, command, $"eventlog {entityId}", _timeout, cancellationToken);

    /// <summary>
    /// Asks the controller, an eventlog or a trigger: the expected answer is returned, a refusal of any of them becomes a
    /// <see cref="BrokerException"/> of its kind, and no answer within <paramref name="timeout"/> an unavailable one.
    /// </summary>
    private static async Task<T> AskAsync<T>(IActorRef target, object command, string who, TimeSpan timeout, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            reply = await target.Ask<object>(command, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException ex)
        {
            throw NoAnswer(who, timeout, ex);
        }

        return reply switch
        {
            T answer => answer,
            EventlogRefusal refusal => throw new BrokerException(refusal.Kind, refusal.Message, refusal.Field),
            ControllerRefusal refusal => throw new BrokerException(refusal.Kind, refusal.Message, refusal.Field),
            TriggerRefusal refusal => throw new BrokerException(refusal.Kind, refusal.Message, refusal.Field),
            _ => throw Unexpected(reply),
        };
    }
}
