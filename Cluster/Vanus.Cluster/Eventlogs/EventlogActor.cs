using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

/// <summary>
/// The single writer of one eventlog, a sharded persistent actor. Its journal holds only small state (its configuration,
/// the leader epoch taken at each start, whether it was deleted); the events go to the storage engine's segment files.
/// Appends never block the actor: it starts every append of a message in order (which fixes the offsets) and replies
/// when the last completes, so the storage engine's group commit batches concurrent messages.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop.")]
internal sealed partial class EventlogActor : JournaledActor, IWithTimers
{
    private const int SnapshotEvery = 16;
    private const string MaintainTimer = "maintain";

    private readonly EventlogId _id;
    private readonly string _entityId;
    private readonly EventlogSettings _settings;

    private EventlogConfig? _config;
    private long _epoch;
    private bool _removed;
    private IEventLog? _eventLog;
    private IActorRef? _createdReplyTo;
    private readonly CancellationTokenSource _waits = new();

    public EventlogActor(string entityId, EventlogSettings settings)
    {
        _id = EventlogId.Parse(entityId);
        _entityId = entityId;
        _settings = settings;
        PersistenceId = _id.PersistenceId;
        Recover<EventlogCreated>(e => _config = e.Config);
        Recover<LeaderEpochStarted>(e => _epoch = e.Epoch);
        Recover<EventlogRemoved>(_ => _removed = true);
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is EventlogSnapshot s)
            {
                (_config, _epoch, _removed) = (s.Config, s.Epoch, s.Removed);
            }
        });
        Recover<RecoveryCompleted>(_ =>
        {
            if (_config is not null && !_removed)
            {
                StartWriter();
            }
            else
            {
                Become(Unknown);
            }
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, EventlogSettings settings) => Akka.Actor.Props.Create(() => new EventlogActor(entityId, settings));

    /// <summary>Never created, or deleted: answers as unknown and stops, so an unknown id costs no memory.</summary>
    private void Unknown()
    {
        Command<CreateEventlog>(c =>
        {
            if (_removed)
            {
                Sender.Tell(new Refusal(BrokerErrorKind.NotFound, $"eventlog {_entityId} was deleted", null));
                return;
            }

            _createdReplyTo = Sender;
            Persist(new EventlogCreated(c.Config), e =>
            {
                _config = e.Config;
                StartWriter();
            });
        });
        Command<DeleteEventlog>(_ =>
        {
            // A repeated delete (the controller retries after a restart) still clears what a crash may have left on disk.
            var replyTo = Sender;
            _settings.RemoveStorageAsync(_id.Incarnation, _id.Index).PipeTo(
                Self,
                success: () => new LogClosed(null),
                failure: ex => new LogClosed(ex));
            Become(() => AwaitingRemoval(replyTo));
        });
        Command<StopEventlog>(_ => Context.Stop(Self));
        Command<IEventlogCommand>(_ =>
        {
            Sender.Tell(new Refusal(BrokerErrorKind.NotFound, $"eventlog {_entityId} does not exist", null));
            Context.Stop(Self);
        });
        PersistenceReplies();
    }

    private void AwaitingRemoval(IActorRef replyTo)
    {
        Command<LogClosed>(closed =>
        {
            if (closed.Error is { } error)
            {
                Log.Warning(error, "Eventlog {0}: removing its storage failed", _entityId);
                replyTo.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {_entityId}: removing its storage failed: {error.Message}", null));
            }
            else
            {
                replyTo.Tell(new EventlogAck(_entityId));
            }

            Context.Stop(Self);
        });
        Command<IEventlogCommand>(_ => Sender.Tell(Closing()));
        Command<StopEventlog>(_ => { });
        PersistenceReplies();
    }

    /// <summary>Takes the next leader epoch, then opens the log; commands wait in the stash until it is open.</summary>
    private void StartWriter()
    {
        Persist(new LeaderEpochStarted(_epoch + 1), e =>
        {
            _epoch = e.Epoch;
            MaybeSnapshot();
            var options = _settings.OptionsFor(_config!);
            EventLog.OpenAsync(options).AsTask().PipeTo(
                Self,
                success: log => new LogOpened(log, null),
                failure: ex => new LogOpened(null, ex));
            Become(Opening);
        });
    }

    private void Opening()
    {
        Command<LogOpened>(opened =>
        {
            if (opened.Log is { } log)
            {
                _eventLog = log;
                if (log.Recovery.ReadOnly)
                {
                    Log.Error(
                        "Eventlog {0} (epoch {1}) is read-only: synced records are corrupt in {2} at byte {3} ({4}); it serves reads before that and refuses appends until an operator acts",
                        _entityId, _epoch, log.Recovery.CorruptFile, log.Recovery.CorruptAt, log.Recovery.Reason);
                }
                else if (!log.Recovery.WasClean && log.Recovery.TruncatedFile is { } file)
                {
                    Log.Warning(
                        "Eventlog {0} (epoch {1}) was not closed cleanly: verified {2} records and cut a torn tail off {3} at {4} ({5})",
                        _entityId, _epoch, log.Recovery.RecordsVerified, file, log.Recovery.TruncatedAt, log.Recovery.Reason);
                }

                if (_config!.Sync == SyncPolicy.None)
                {
                    Log.Warning("Eventlog {0} has sync 'none' and one copy: nothing would ever sync it, so it syncs on the interval", _entityId);
                }

                _createdReplyTo?.Tell(new EventlogAck(_entityId));
                _createdReplyTo = null;
                Timers.StartPeriodicTimer(MaintainTimer, MaintainTick.Instance, _settings.MaintenanceInterval);
                Stash.UnstashAll();
                Become(Serving);
            }
            else
            {
                Log.Error(opened.Error, "Eventlog {0}: opening its log in {1} failed", _entityId, _settings.DirectoryOf(_id.Incarnation, _id.Index));
                _createdReplyTo?.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {_entityId} could not open its log: {opened.Error?.Message}", null));
                _createdReplyTo = null;
                var reason = opened.Error?.Message ?? "unknown error";
                Stash.UnstashAll();
                Become(() => Broken(reason));
            }
        });
        CommandAny(_ => Stash.Stash());
    }

    /// <summary>The log could not be opened: every command is refused with the reason until the entity is restarted.</summary>
    private void Broken(string reason)
    {
        Command<StopEventlog>(_ => Context.Stop(Self));
        Command<IEventlogCommand>(_ =>
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {_entityId} is unavailable: {reason}", null));
            // Stopping lets the next command start a fresh entity that tries to open the log again.
            Context.Stop(Self);
        });
        PersistenceReplies();
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery == 0)
        {
            SaveSnapshot(new EventlogSnapshot(_config, _epoch, _removed));
        }
    }

    /// <summary>Journal housekeeping replies, the same in every state.</summary>
    private void PersistenceReplies() => HandlePersistenceReplies(() => $"Eventlog {_entityId}", deleteOlderSnapshots: false);

    private Refusal Closing() => new(BrokerErrorKind.Unavailable, $"eventlog {_entityId} is closing", null);

    protected override void PostStop()
    {
        _waits.Cancel();
        _waits.Dispose();

        // The hand-off closes the log before stopping; this is for an actor system that terminates without one.
        if (_eventLog is { } log)
        {
            _eventLog = null;
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.PostStop();
    }
}
