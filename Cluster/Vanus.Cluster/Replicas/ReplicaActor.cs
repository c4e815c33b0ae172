using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replication;
using Vanus.Runtime.Broker;
using Vanus.Storage;

namespace Vanus.Cluster.Replicas;

/// <summary>What the replicas of one node share: the node's name, where logs live, how to reach other nodes.</summary>
internal sealed record ReplicaHost(
    string NodeName,
    EventlogSettings Settings,
    Func<string, ICanTell?> ManagerOf,
    Action<LeaderElected> Announce)
{
    /// <summary>The cluster address of the node holding the named replica (for batching), or null when unknown.</summary>
    public Func<string, Address?> NodeOf { get; init; } = _ => null;

    /// <summary>This node's place among the replicas of <c>__meta</c> (<c>seed:0</c> to <c>seed:2</c>), if it is one of the first three seeds.</summary>
    public string? SeedName { get; init; }

    /// <summary>True when the cluster keeps its catalog on <c>__meta</c> (it has at least three seeds).</summary>
    public bool MetaEnabled { get; init; }

    /// <summary>The name this node goes by among <paramref name="replicas"/> (its own, or its seed name for <c>__meta</c>), or null when it holds none of them.</summary>
    public string? SelfIn(IReadOnlyList<string> replicas) =>
        replicas.Contains(NodeName) ? NodeName : SeedName is { } seed && replicas.Contains(seed) ? seed : null;

    /// <summary>
    /// Told when a replica on this node starts serving as its eventlog's leader (with its epoch) and when it stops (null):
    /// the controller runs where <c>__meta</c> is led.
    /// </summary>
    public Action<string, long?>? LeadershipChanged { get; init; }

    /// <summary>How often each replica's clock ticks (elections, heartbeats, resends are decided on ticks).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Heartbeat, election and step-down timings.</summary>
    public ElectionTimings Timings { get; init; } = new();
}

/// <summary>
/// One replica of a replicated eventlog on this node: the actor hosts a <see cref="Replica"/> and is its one caller, so
/// the replica's steps never overlap (each handler that awaits suspends the mailbox). The leader takes appends (answered
/// at commit) and serves reads of the committed log; a follower answers <see cref="NotLeader"/> and the router goes on to
/// the leader, except for a read that names this node's own copy.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop.")]
internal sealed class ReplicaActor : ReceiveActor, IWithUnboundedStash
{
    private readonly string _entityId;
    private readonly EventlogConfig _config;
    private readonly ReplicaHost _host;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _closing = new();
    private readonly bool _rejoining;
    private Replica? _replica;
    private long _announced;
    private ReplicaRole _role;
    private long? _serving;
    private Truncation? _loggedTruncation;

    public ReplicaActor(string entityId, EventlogConfig config, ReplicaHost host, bool rejoining)
    {
        _rejoining = rejoining;
        _entityId = entityId;
        _config = config;
        _host = host;
        Become(Opening);
    }

    public IStash Stash { get; set; } = null!;

    private long Now => _host.Settings.Time.GetUtcNow().UtcTicks;

    /// <summary>The props of a replica; <paramref name="rejoining"/> when the node lost what it held (it starts as a learner).</summary>
    public static Props Props(string entityId, EventlogConfig config, ReplicaHost host, bool rejoining = false) =>
        Akka.Actor.Props.Create(() => new ReplicaActor(entityId, config, host, rejoining));

    protected override void PreStart()
    {
        var self = Self;
        var parent = Context.Parent;
        var voters = _config.Replicas ?? [_host.NodeName];
        var name = _host.SelfIn(voters) ?? _host.NodeName;
        var options = _host.Settings.OptionsFor(_config) with { Tiers = null };
        Replica.OpenAsync(
                new ReplicaSettings(name, voters) { Timings = _host.Timings, Rejoining = _rejoining },
                options,
                message => Send(message, self, parent),
                new Random(),
                Now)
            .PipeTo(self, success: r => new Opened(r), failure: ex => new OpenFailed(ex));
    }

    /// <summary>
    /// Heartbeats (appends that carry nothing) and answers go through the node's manager, which batches them per node;
    /// appends that carry records go straight to their node.
    /// </summary>
    private void Send(ReplicaMessage message, IActorRef self, IActorRef manager)
    {
        var envelope = new ReplicaEnvelope(_entityId, message);
        if (message is AppendRequest { Count: 0 } or AppendResponse && _host.NodeOf(message.To) is { } node)
        {
            manager.Tell(new Outgoing(node, envelope), self);
            return;
        }

        _host.ManagerOf(message.To)?.Tell(envelope, self);
    }

    protected override void PostStop()
    {
        if (_serving is not null)
        {
            _host.LeadershipChanged?.Invoke(_entityId, null);
        }

        _closing.Cancel();
        _closing.Dispose();
        if (_replica is { } replica)
        {
            _replica = null;
            replica.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.PostStop();
    }

    private void Opening()
    {
        Receive<Opened>(opened =>
        {
            _replica = opened.Replica;
            var log = opened.Replica.Log;
            _log.Info(
                "Eventlog {0}: replica on {1} open (epoch {2}, log end {3}, replicas {4}){5}",
                _entityId, opened.Replica.Name, opened.Replica.Epoch, log.WrittenOffset, string.Join(",", _config.Replicas ?? []),
                opened.Replica.Rejoining ? "; it rejoins as a learner until it holds what the leader holds" : "");
            if (opened.Replica.Repair is { } repair)
            {
                _log.Warning("Eventlog {0}: replica on {1} repaired: {2}", _entityId, opened.Replica.Name, repair);
            }

            Stash.UnstashAll();
            Become(Serving);
        });
        Receive<ReplicaTick>(_ => { });
        Receive<OpenFailed>(failed =>
        {
            _log.Error(failed.Error, "Eventlog {0}: opening its replica on {1} failed", _entityId, _host.NodeName);
            Stash.UnstashAll();
            Become(() => Broken(failed.Error.Message));
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Broken(string reason)
    {
        Receive<ReplicaEnvelope>(_ => { });
        Receive<ReplicaTick>(_ => { });
        Receive<IEventlogCommand>(_ =>
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {_entityId}: its replica on {_host.NodeName} is unavailable: {reason}", null));
            Context.Stop(Self);
        });
    }

    private void Serving()
    {
        ReceiveAsync<ReplicaTick>(async _ =>
        {
            await _replica!.TickAsync(Now).ConfigureAwait(true);
            AfterStep();
        });
        ReceiveAsync<ReplicaEnvelope>(async envelope =>
        {
            await _replica!.ReceiveAsync(envelope.Message, Now).ConfigureAwait(true);
            AfterStep();
        });
        ReceiveAsync<WriteDone>(async _ =>
        {
            await _replica!.OnWrittenAsync(Now).ConfigureAwait(true);
            AfterStep();
        });
        Receive<AppendEvents>(Append);
        Receive<ReadEvents>(Read);
        Receive<ReadOffsets>(command => LeaderOnly(() => Answer(LogQueries.ReadOffsetsAsync(_replica!.Log, command))));
        Receive<FindOffset>(command => LeaderOnly(() => Answer(LogQueries.FindAsync(_replica!.Log, command))));
        Receive<GetEventlogInfo>(_ => LeaderOnly(() =>
        {
            var replica = _replica!;
            Sender.Tell(new EventlogInfoReply(replica.Log.EarliestOffset, replica.Committed, replica.Name, replica.Epoch, _config.Replicas));
        }));
        Receive<CreateEventlog>(_ => Sender.Tell(new EventlogAck(_entityId)));
        ReceiveAsync<DeleteEventlog>(async _ =>
        {
            var replica = _replica!;
            _replica = null;
            await replica.DisposeAsync().ConfigureAwait(true);
            await _host.Settings.RemoveStorageAsync(_config.Incarnation, _config.Index).ConfigureAwait(true);
            Sender.Tell(new EventlogAck(_entityId));
            Context.Stop(Self);
        });
    }

    /// <summary>After each step: a new leadership is announced to every node's router (and logged), a lost one logged.</summary>
    private void AfterStep()
    {
        var replica = _replica!;
        if (replica.LastTruncation is { } cut && !ReferenceEquals(cut, _loggedTruncation))
        {
            _loggedTruncation = cut;
            _log.Info("Eventlog {0}: {1} cut its log from {2} back to {3}: records never committed, which the leader of epoch {4} does not hold", _entityId, replica.Name, cut.From, cut.To, cut.Epoch);
        }

        long? serving = replica.ServesReads ? replica.Epoch : null;
        if (serving != _serving)
        {
            // Queries held while a new leader confirmed its commit point are answered now; a replica that lost the lead
            // answers them NotLeader.
            _serving = serving;
            Stash.UnstashAll();
            _host.LeadershipChanged?.Invoke(_entityId, serving);
        }
        else if (replica.Role != ReplicaRole.Leader)
        {
            Stash.UnstashAll();
        }

        if (replica.Role == _role && (replica.Role != ReplicaRole.Leader || replica.Epoch == _announced))
        {
            return;
        }

        if (replica.Role == ReplicaRole.Leader)
        {
            _announced = replica.Epoch;
            _log.Info("Eventlog {0}: {1} leads epoch {2} (log end {3})", _entityId, replica.Name, replica.Epoch, replica.Log.WrittenOffset);
            _host.Announce(new LeaderElected(_entityId, replica.Name, replica.Epoch));
        }
        else if (_role == ReplicaRole.Leader)
        {
            _log.Info("Eventlog {0}: {1} no longer leads (epoch {2})", _entityId, replica.Name, replica.Epoch);
        }

        _role = replica.Role;
    }

    private void Append(AppendEvents command)
    {
        var replica = _replica!;
        var events = command.Events;
        Proposal proposal;
        try
        {
            proposal = replica.Propose(events);
        }
        catch (NotLeaderException ex)
        {
            Sender.Tell(new NotLeader(_entityId, ex.Leader, ex.Message));
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            Sender.Tell(AppendReply.NotStored(events.Count, $"the events were not stored: {ex.Message}", ex is StorageFullException));
            return;
        }

        var (self, replyTo, count) = (Self, Sender, events.Count);
        _ = proposal.Written.ContinueWith(_ => self.Tell(WriteDone.Instance), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        _ = proposal.Committed.ContinueWith(
            committed => replyTo.Tell(committed.IsCompletedSuccessfully
                ? AppendReply.Stored(committed.Result, count)
                : AppendReply.NotStored(
                    count,
                    // Placed by a leader that lost its place before a majority had them: a later leader may or may not keep them.
                    $"the events may or may not be stored: {committed.Exception?.GetBaseException().Message}",
                    committed.Exception?.GetBaseException() is StorageFullException)),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void Read(ReadEvents command)
    {
        var replica = _replica!;
        if (command.Replica != replica.Name && replica.Role != ReplicaRole.Leader)
        {
            Sender.Tell(new NotLeader(_entityId, replica.Leader, $"{replica.Name} does not lead eventlog {_entityId}"));
            return;
        }

        if (command.Replica != replica.Name && !replica.ServesReads)
        {
            // A new leader reads once it knows what its predecessors committed (AfterStep lets the read in again).
            Stash.Stash();
            return;
        }

        if (LogQueries.Immediate(replica.Log, command) is { } reply)
        {
            Sender.Tell(reply);
            return;
        }

        Answer(LogQueries.ReadAsync(replica.Log, command, _closing.Token));
    }

    private void LeaderOnly(Action serve)
    {
        var replica = _replica!;
        if (replica.Role != ReplicaRole.Leader)
        {
            Sender.Tell(new NotLeader(_entityId, replica.Leader, $"{replica.Name} does not lead eventlog {_entityId}"));
            return;
        }

        if (!replica.ServesReads)
        {
            Stash.Stash();
            return;
        }

        serve();
    }

    private void Answer(Task<object> query) => query.PipeTo(Sender, Self);



    private sealed record Opened(Replica Replica) : INoSerializationVerificationNeeded;

    private sealed record OpenFailed(Exception Error) : INoSerializationVerificationNeeded;

    private sealed record WriteDone : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly WriteDone Instance = new();
    }
}
