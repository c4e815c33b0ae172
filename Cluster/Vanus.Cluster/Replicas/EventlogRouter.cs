using System.Collections.Concurrent;
using Akka.Actor;
using Vanus.Cluster.Broker;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Replicas;

/// <summary>
/// The node's one door to eventlogs (DESIGN §5, gateway): a command for an eventlog kept in one copy goes to the shard
/// region as before; one for a replicated eventlog goes to its leader, found from leaders' announcements and from the
/// replicas' <see cref="NotLeader"/> answers, and waited for while an election runs. Creates and deletes go to every
/// replica. An append that reached a leader that then lost its place is answered as such, never sent twice.
/// </summary>
internal sealed class EventlogRouter : ReceiveActor
{
    /// <summary>The router's actor name under <c>/user</c> on every node.</summary>
    public const string ActorName = "eventlog-router";

    // How long a command waits for its eventlog to have a leader (an election takes about 1 to 3 s).
    private static readonly TimeSpan LeaderWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly IActorRef _shards;
    private readonly CatalogCache _catalog;
    private readonly ReplicaHost _host;
    private readonly IActorRef _localReplicas;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<string, Leadership> _leaders = new(StringComparer.Ordinal);

    // Per eventlog, the commands waiting on a replica: one whose replica is not the leader a node announces stops waiting
    // (that replica may be gone), whether or not the router knew a leader when it sent the command.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<CancellationTokenSource, string>> _waiting = new(StringComparer.Ordinal);

    public EventlogRouter(IActorRef shards, CatalogCache catalog, ReplicaHost host, IActorRef localReplicas, TimeSpan timeout)
    {
        _shards = shards;
        _catalog = catalog;
        _host = host;
        _localReplicas = localReplicas;
        _timeout = timeout;
        Receive<LeaderElected>(elected =>
        {
            Learn(elected.EntityId, elected.Leader, elected.Epoch);

            // The controller runs where __meta is led: the node's controller proxy follows it.
            if (elected.EntityId == Meta.MetaLog.EntityId)
            {
                Context.System.EventStream.Publish(elected);
            }
        });
        Receive<IEventlogCommand>(command =>
        {
            if (ReplicasOf(command) is not { } replicas)
            {
                _shards.Forward(command);
                return;
            }

            var replyTo = Sender;
            _ = command is CreateEventlog or DeleteEventlog ? AllAsync(command, replicas, replyTo) : LeaderAsync(command, replicas, replyTo);
        });
    }

    public static Props Props(IActorRef shards, CatalogCache catalog, ReplicaHost host, IActorRef localReplicas, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new EventlogRouter(shards, catalog, host, localReplicas, timeout));

    /// <summary>The nodes of a replicated eventlog's replicas, or null when it is kept in one copy (or unknown here).</summary>
    private IReadOnlyList<string>? ReplicasOf(IEventlogCommand command) => command switch
    {
        CreateEventlog create => create.Config.IsReplicated ? create.Config.Replicas : null,
        DeleteEventlog delete => delete.Replicas is { Count: > 1 } replicas ? replicas : null,
        _ when _host.MetaEnabled && command.EntityId == Meta.MetaLog.EntityId => Meta.MetaLog.Replicas,
        _ => EventlogId.TryParse(command.EntityId, out var id) && _catalog.Current.EventbusByIncarnation(id.Incarnation) is { } bus
            ? bus.ReplicasOf(id.Index)
            : null,
    };

    private void Learn(string entity, string leader, long epoch)
    {
        while (true)
        {
            if (!_leaders.TryGetValue(entity, out var known))
            {
                if (_leaders.TryAdd(entity, new Leadership(leader, epoch)))
                {
                    Announced(entity, leader);
                    return;
                }

                continue;
            }

            if (known.Epoch > epoch || (known.Epoch == epoch && known.Leader == leader))
            {
                return;
            }

            if (_leaders.TryUpdate(entity, new Leadership(leader, epoch), known))
            {
                Announced(entity, leader);
                return;
            }
        }
    }

    /// <summary>Wakes the commands of <paramref name="entity"/> waiting on any replica but its announced <paramref name="leader"/>.</summary>
    private void Announced(string entity, string leader)
    {
        if (_waiting.TryGetValue(entity, out var waiting))
        {
            foreach (var (wait, target) in waiting)
            {
                if (target != leader)
                {
                    wait.Cancel();
                }
            }
        }
    }

    /// <summary>Sends a create or delete to every replica and answers once all of them did.</summary>
    private async Task AllAsync(IEventlogCommand command, IReadOnlyList<string> replicas, IActorRef replyTo)
    {
        var answers = await Task.WhenAll(replicas.Select(async node =>
        {
            if (ManagerOf(node) is not { } manager)
            {
                return (object)new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: node {node}, which holds one of its replicas, is not in the cluster", null);
            }

            try
            {
                return await manager.Ask<object>(command, _timeout).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                return new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: its replica on {node} did not answer within {_timeout.TotalSeconds:0.#} s", null);
            }
        })).ConfigureAwait(false);
        var problems = answers.OfType<Refusal>().Select(r => r.Message).Distinct().ToList();
        replyTo.Tell(problems.Count == 0 ? new EventlogAck(command.EntityId) : new Refusal(BrokerErrorKind.Unavailable, string.Join("; ", problems), null));
    }

    /// <summary>Sends the command to the eventlog's leader (a read naming a replica, to that replica) and relays the answer.</summary>
    private async Task LeaderAsync(IEventlogCommand command, IReadOnlyList<string> replicas, IActorRef replyTo)
    {
        var entity = command.EntityId;
        var started = DateTime.UtcNow;
        var named = command is ReadEvents { Replica: { } replica } ? replica : null;
        if (named is not null && !replicas.Contains(named))
        {
            replyTo.Tell(new Refusal(BrokerErrorKind.Invalid, $"eventlog {entity} has no replica on node '{named}'; its replicas are on {string.Join(", ", replicas)}", "replica"));
            return;
        }

        var next = _host.SelfIn(replicas) is { } self ? replicas.ToList().IndexOf(self) : 0;
        string? hint = null;
        var lastReason = "no replica answered";
        while (true)
        {
            var known = _leaders.TryGetValue(entity, out var leadership) ? leadership : null;
            var target = named ?? hint ?? known?.Leader ?? replicas[next++ % replicas.Count];
            hint = null;
            if (ManagerOf(target) is { } manager)
            {
                object answer;
                try
                {
                    var left = _timeout - (DateTime.UtcNow - started);
                    using var wait = new CancellationTokenSource();
                    var waiting = _waiting.GetOrAdd(entity, _ => new ConcurrentDictionary<CancellationTokenSource, string>());
                    waiting[wait] = target;
                    try
                    {
                        answer = await manager.Ask<object>(command, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), wait.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        waiting.TryRemove(wait, out _);
                    }
                }
                catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
                {
                    if (command is AppendEvents append)
                    {
                        // It may have been stored: sending it again could store it twice.
                        var why = ex is AskTimeoutException ? $"did not answer within {_timeout.TotalSeconds:0.#} s" : "lost its leadership";
                        replyTo.Tell(AppendReply.NotStored(append.Events.Count, $"the leader on {target} {why}: the events may or may not be stored"));
                        return;
                    }

                    lastReason = $"the replica on {target} did not answer";
                    Forget(entity, target);
                    answer = null!;
                }

                switch (answer)
                {
                    case null:
                        break;
                    case NotLeader notLeader:
                        lastReason = notLeader.Reason;
                        Forget(entity, target);
                        if (notLeader.Leader is { } leader && leader != target && replicas.Contains(leader))
                        {
                            hint = leader;
                            continue;
                        }

                        break;
                    default:
                        replyTo.Tell(answer);
                        return;
                }
            }
            else
            {
                lastReason = $"node {target} is not in the cluster";
                Forget(entity, target);
            }

            if (named is not null || DateTime.UtcNow - started > LeaderWait)
            {
                replyTo.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {entity} has no leader it can reach ({lastReason}); retry shortly", null));
                return;
            }

            await Task.Delay(RetryPause).ConfigureAwait(false);
        }
    }

    /// <summary>Drops a cached leader that turned out not to lead (its announcement of a later epoch puts it back).</summary>
    private void Forget(string entity, string node)
    {
        if (_leaders.TryGetValue(entity, out var known) && known.Leader == node)
        {
            _leaders.TryRemove(new KeyValuePair<string, Leadership>(entity, known));
        }
    }

    private ICanTell? ManagerOf(string node) => node == _host.NodeName || node == _host.SeedName ? _localReplicas : _host.ManagerOf(node);


    private sealed record Leadership(string Leader, long Epoch);
}
