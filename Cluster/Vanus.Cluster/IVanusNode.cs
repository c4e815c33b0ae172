using Vanus.Runtime.Broker;

namespace Vanus.Cluster;

/// <summary>A running node: its broker, its cluster address and its shutdown.</summary>
public interface IVanusNode : IAsyncDisposable
{
    /// <summary>Namespaces, eventbuses, appends and reads, served by this node.</summary>
    IEventbusBroker Broker { get; }

    /// <summary>Subscriptions, their dead letters and pull consumption, served by this node.</summary>
    ISubscriptionBroker Subscriptions { get; }

    /// <summary>Scheduled events: cron and interval schedules that emit an event template into an eventbus, served by this node.</summary>
    IScheduleBroker Schedules { get; }

    /// <summary>The API tokens, kept in the replicated catalog.</summary>
    ITokenBroker Tokens { get; }

    /// <summary>The timer service holding delayed events until they are due.</summary>
    ITimerService Timers { get; }

    /// <summary>The node's cluster address, such as <c>akka.tcp://vanus@127.0.0.1:40123</c>: what other nodes list as a seed.</summary>
    string ClusterAddress { get; }

    /// <summary>
    /// Completes if the cluster removes this node while it runs: downed by the split-brain resolver after it was
    /// unreachable (paused, cut off), or quarantined by a peer. A removed node cannot rejoin; its host should stop it and
    /// start it again.
    /// </summary>
    Task Removed { get; }

    /// <summary>Completes once <see cref="IEventbusBroker.IsReady"/> is true; fails if the node stops first.</summary>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops gracefully: refuses new appends, lets those in flight finish, flushes and closes every eventlog, leaves the
    /// cluster and terminates the actor system. Calling it again waits for the same stop.
    /// </summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}
