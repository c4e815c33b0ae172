using Akka.Actor;
using Akka.Event;
using MessagePack;
using Vanus.Cluster.Broker;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Replicas;

/// <summary>
/// The node's replicas of replicated eventlogs, one <see cref="ReplicaActor"/> each. A replica is created by the
/// controller's <see cref="CreateEventlog"/> (its configuration kept in its folder) and opened again from that folder when
/// the node starts. A replica the catalog places on this node whose folder is gone (a lost or replaced disk) is created
/// empty as a learner: it may lack what it acknowledged, so it neither votes nor stands until it has caught up.
/// </summary>
internal sealed class ReplicaManager : ReceiveActor, IWithTimers
{
    /// <summary>The manager's actor name under <c>/user</c> on every node.</summary>
    public const string ActorName = "replicas";

    private const string ConfigFile = "replica.config";
    private const string CheckTimer = "check-placements";
    private const string TickTimer = "tick";

    private readonly ReplicaHost _host;
    private readonly CatalogCache _catalog;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _entities = [];
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly Dictionary<Address, List<ReplicaEnvelope>> _outbox = [];
    private bool _flushing;

    public ReplicaManager(ReplicaHost host, CatalogCache catalog)
    {
        _host = host;
        _catalog = catalog;
        Receive<CreateEventlog>(Create);
        Receive<DeleteEventlog>(Delete);
        Receive<ReplicaEnvelope>(Deliver);
        Receive<ReplicaBatch>(batch =>
        {
            foreach (var envelope in batch.Envelopes)
            {
                Deliver(envelope);
            }
        });
        Receive<Outgoing>(outgoing =>
        {
            if (!_outbox.TryGetValue(outgoing.Node, out var pending))
            {
                _outbox[outgoing.Node] = pending = [];
            }

            pending.Add(outgoing.Envelope);

            // Sent once what is already in the mailbox has joined them: no timer, so nothing waits longer than that.
            if (!_flushing)
            {
                _flushing = true;
                Self.Tell(FlushOutbox.Instance);
            }
        });
        Receive<FlushOutbox>(_ => Flush());
        Receive<ReplicaTick>(_ =>
        {
            foreach (var replica in _replicas.Values)
            {
                replica.Tell(ReplicaTick.Instance);
            }
        });
        Receive<IEventlogCommand>(command =>
        {
            if (_replicas.TryGetValue(command.EntityId, out var replica))
            {
                replica.Forward(command);
                return;
            }

            Sender.Tell(new Refusal(BrokerErrorKind.NotFound, $"eventlog {command.EntityId} has no replica on node {host.NodeName}", null));
        });
        Receive<CheckPlacements>(_ => CheckCatalog());
        Receive<Terminated>(terminated =>
        {
            if (_entities.Remove(terminated.ActorRef, out var entity))
            {
                _replicas.Remove(entity);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ReplicaHost host, CatalogCache catalog) => Akka.Actor.Props.Create(() => new ReplicaManager(host, catalog));

    protected override void PreStart()
    {
        // Every replica this node kept opens again at once: elections do not wait for the catalog.
        if (Directory.Exists(_host.Settings.Root))
        {
            foreach (var file in Directory.EnumerateFiles(_host.Settings.Root, ConfigFile, SearchOption.AllDirectories))
            {
                try
                {
                    var config = MessagePackSerializer.Deserialize<EventlogConfig>(File.ReadAllBytes(file), WireFormat.Options);
                    Start(new EventlogId(config.Incarnation, config.Index).EntityId, config);
                }
#pragma warning disable CA1031 // one unreadable configuration must not keep the node's other replicas down
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _log.Error(ex, "Replica configuration {0} cannot be read; that replica stays closed until an operator acts", file);
                }
            }
        }

        // A seed node among the first three holds a replica of __meta, the controller's journal, from its first start on.
        if (_host.MetaEnabled && _host.SeedName is not null && !_replicas.ContainsKey(Meta.MetaLog.EntityId))
        {
            Keep(Meta.MetaLog.Config);
            Start(Meta.MetaLog.EntityId, Meta.MetaLog.Config);
        }

        Timers.StartPeriodicTimer(CheckTimer, CheckPlacements.Instance, TimeSpan.FromSeconds(2));
        Timers.StartPeriodicTimer(TickTimer, ReplicaTick.Instance, _host.TickInterval);
    }

    private void Deliver(ReplicaEnvelope envelope)
    {
        // A replica not created yet (or deleted) misses it; the leader sends again.
        if (_replicas.TryGetValue(envelope.EntityId, out var replica))
        {
            replica.Forward(envelope);
        }
    }

    /// <summary>Sends what the node's replicas have for each other node: one message per node, a batch when there are several.</summary>
    private void Flush()
    {
        _flushing = false;
        foreach (var (node, pending) in _outbox)
        {
            if (pending.Count == 0)
            {
                continue;
            }

            var manager = Context.ActorSelection(new RootActorPath(node) / "user" / ActorName);
            manager.Tell(pending.Count == 1 ? pending[0] : new ReplicaBatch([.. pending]), Self);
            pending.Clear();
        }
    }

    private void Create(CreateEventlog command)
    {
        if (!_replicas.ContainsKey(command.EntityId))
        {
            try
            {
                Keep(command.Config);
            }
            catch (IOException ex)
            {
                Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: node {_host.NodeName} could not keep its replica's configuration: {ex.Message}", null));
                return;
            }

            Start(command.EntityId, command.Config);
        }

        _replicas[command.EntityId].Forward(command);
    }

    private void Delete(DeleteEventlog command)
    {
        _deleted.Add(command.EntityId);
        if (_replicas.TryGetValue(command.EntityId, out var replica))
        {
            replica.Forward(command);
            return;
        }

        // No replica here (a node that was down at the delete, say): whatever is left on disk goes.
        var id = EventlogId.Parse(command.EntityId);
        _host.Settings.RemoveStorageAsync(id.Incarnation, id.Index).PipeTo(
            Sender,
            Self,
            success: () => new EventlogAck(command.EntityId),
            failure: ex => new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: removing its storage on {_host.NodeName} failed: {ex.Message}", null));
    }

    /// <summary>Replicas the catalog places here and that have no folder (a lost disk) start empty, as learners.</summary>
    private void CheckCatalog()
    {
        if (!_catalog.IsLoaded)
        {
            return;
        }

        foreach (var bus in _catalog.Current.View.Eventbuses)
        {
            for (var i = 0; i < bus.Eventlogs; i++)
            {
                var entity = bus.EntityId(i);
                if (bus.ReplicasOf(i) is not { } replicas || _host.SelfIn(replicas) is null || _replicas.ContainsKey(entity) || _deleted.Contains(entity))
                {
                    continue;
                }

                var config = bus.ConfigOf(i);
                var folder = _host.Settings.DirectoryOf(config.Incarnation, config.Index);
                if (File.Exists(Path.Combine(folder, ConfigFile)))
                {
                    continue;
                }

                _log.Warning("Eventlog {0}: this node ({1}) holds one of its replicas and its folder {2} is gone; it starts empty and rejoins as a learner", entity, _host.NodeName, folder);
                Keep(config);
                Start(entity, config, rejoining: true);
            }
        }
    }

    private void Start(string entity, EventlogConfig config, bool rejoining = false)
    {
        var replica = Context.ActorOf(ReplicaActor.Props(entity, config, _host, rejoining), Uri.EscapeDataString(entity));
        Context.Watch(replica);
        _replicas[entity] = replica;
        _entities[replica] = entity;
    }

    /// <summary>Writes the replica's configuration into its folder (a temporary file renamed over), so the node opens it again at start.</summary>
    private void Keep(EventlogConfig config)
    {
        var folder = _host.Settings.DirectoryOf(config.Incarnation, config.Index);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, ConfigFile);
        var temp = file + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(MessagePackSerializer.Serialize(config, WireFormat.Options));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, file, overwrite: true);
    }

    private sealed record CheckPlacements : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly CheckPlacements Instance = new();
    }

    private sealed record FlushOutbox : INoSerializationVerificationNeeded
    {
        public static readonly FlushOutbox Instance = new();
    }
}
