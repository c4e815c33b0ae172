using Akka.Actor;
using Vanus.Cluster.Hosting;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>
/// The controller: a cluster singleton, event-sourced, that owns the catalog of namespaces and eventbuses. Commands that
/// touch eventlogs (creating or deleting a bus) run one at a time: the actor creates or deletes the eventlog entities
/// first and persists the catalog change after, stashing other commands meanwhile. Every change is published on
/// <see cref="Topic"/> so that each node's broker keeps its local copy of the catalog current.
/// </summary>
internal sealed partial class ControllerActor : JournaledActor
{
    /// <summary>The distributed pub-sub topic every broker listens on for catalog changes.</summary>
    public const string Topic = "vanus-catalog";

    private const int SnapshotEvery = 50;

    private readonly IActorRef _eventlogs;
    private readonly IActorRef _triggers;
    private readonly IActorRef _schedules;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly IActorRef _mediator;
    private readonly CatalogState _state = new();

    public ControllerActor(IActorRef eventlogs, IActorRef triggers, IActorRef schedules, TimeProvider time, TimeSpan timeout, bool replicatedCatalog)
    {
        if (replicatedCatalog)
        {
            // On a cluster of three or more seeds the catalog's journal and snapshots are the replicated __meta eventlog,
            // which the controller reads on whichever node it moves to; else the node's own journal.
            JournalPluginId = "akka.persistence.journal." + Meta.MetaLog.PluginId;
            SnapshotPluginId = "akka.persistence.snapshot-store." + Meta.MetaLog.PluginId;
        }
        _eventlogs = eventlogs;
        _triggers = triggers;
        _schedules = schedules;
        _time = time;
        _timeout = timeout;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CatalogSnapshot snapshot)
            {
                _state.Restore(snapshot);
            }
        });
        Recover<NamespaceAdded>(_state.Apply);
        Recover<NamespaceRemoved>(_state.Apply);
        Recover<EventbusAdded>(_state.Apply);
        Recover<EventbusRemoved>(_state.Apply);
        Recover<StorageReleased>(_state.Apply);
        Recover<SubscriptionAdded>(_state.Apply);
        Recover<SubscriptionUpdated>(_state.Apply);
        Recover<SubscriptionRemoved>(_state.Apply);
        Recover<ScheduleAdded>(_state.Apply);
        Recover<ScheduleRemoved>(_state.Apply);
        Recover<TokenAdded>(_state.Apply);
        Recover<TokenRemoved>(_state.Apply);
        Recover<RecoveryCompleted>(_ => Recovered());
    }

    public override string PersistenceId => "vanus-controller";

    public static Props Props(IActorRef eventlogs, IActorRef triggers, IActorRef schedules, TimeProvider time, TimeSpan timeout, bool replicatedCatalog = false) =>
        Akka.Actor.Props.Create(() => new ControllerActor(eventlogs, triggers, schedules, time, timeout, replicatedCatalog));

    private CatalogView View => _state.View(LastSequenceNr);

    private void Recovered()
    {
        Become(Ready);
        WakeTriggers();
        WakeSchedules();
        if (!_state.HasNamespace(EventbusNames.DefaultNamespace))
        {
            Record(new NamespaceAdded(new NamespaceEntry(EventbusNames.DefaultNamespace, _time.GetUtcNow())), _ => Publish());
        }

        if (_state.Releases.Count > 0)
        {
            // A delete was interrupted by a restart: its storage is released before any new command is taken.
            ReleaseStorage(_state.Releases.ToList(), ActorRefs.Nobody, reply: null);
        }
    }

    private void Ready()
    {
        Command<GetCatalog>(_ => Sender.Tell(View));
        Command<CreateNamespace>(CreateNamespace);
        Command<DeleteNamespace>(DeleteNamespace);
        Command<CreateEventbus>(CreateEventbus);
        Command<DeleteEventbus>(DeleteEventbus);
        Command<CreateSubscription>(CreateSubscription);
        Command<UpdateSubscription>(UpdateSubscription);
        Command<SetSubscriptionPaused>(SetSubscriptionPaused);
        Command<DeleteSubscription>(DeleteSubscription);
        Command<CreateSchedule>(CreateSchedule);
        Command<DeleteSchedule>(DeleteSchedule);
        Command<CreateToken>(CreateToken);
        Command<DeleteToken>(DeleteToken);
        Command<StopController>(_ => Context.Stop(Self));
        HandlePersistenceReplies(() => "Controller", deleteOlderSnapshots: true);
    }

    /// <summary>Eventlog work is running: the catalog can still be read, every other command waits its turn.</summary>
    private void Busy()
    {
        Command<GetCatalog>(_ => Sender.Tell(View));
        Command<StorageWorkDone>(WorkDone);
        HandlePersistenceReplies(() => "Controller", deleteOlderSnapshots: true);
        CommandAny(_ => Stash.Stash());
    }

    private void CreateNamespace(CreateNamespace command)
    {
        if (CatalogRules.CheckCreateNamespace(_state, command) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var replyTo = Sender;
        var entry = new NamespaceEntry(command.Name, _time.GetUtcNow());
        Record(new NamespaceAdded(entry), _ =>
        {
            var view = Publish();
            replyTo.Tell(new NamespaceCreated(view, entry));
        });
    }

    private void DeleteNamespace(DeleteNamespace command)
    {
        if (CatalogRules.CheckDeleteNamespace(_state, command) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        if (!_state.HasNamespace(command.Name))
        {
            Sender.Tell(new CatalogDeleted(View, false));
            return;
        }

        var replyTo = Sender;
        Record(new NamespaceRemoved(command.Name), _ =>
        {
            var view = Publish();
            replyTo.Tell(new CatalogDeleted(view, true));
        });
    }

    /// <summary>Persists a catalog event, applies it, and snapshots every <see cref="SnapshotEvery"/> events.</summary>
    private void Record<TEvent>(TEvent evt, Action<TEvent> then)
        where TEvent : class
    {
        Persist(evt, e =>
        {
            _state.Apply(e);
            if (LastSequenceNr % SnapshotEvery == 0)
            {
                SaveSnapshot(_state.Snapshot());
            }

            then(e);
        });
    }

    private CatalogView Publish()
    {
        var view = View;
        _mediator.Tell(new Publish(Topic, view));
        return view;
    }

    /// <summary>The names (<c>--name</c>) of the nodes that are up.</summary>
    private static List<string> UpNodeNames() =>
        [.. Akka.Cluster.Cluster.Get(Context.System).State.Members.Where(m => m.Status == MemberStatus.Up).Select(NodeNames.Of).OfType<string>()];
}
