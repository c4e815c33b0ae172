using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Vanus.Cluster.Eventlogs;
using Vanus.Operators.Delivery;
using Vanus.Operators.Subscriptions;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Triggers;

/// <summary>
/// One subscription's delivery from one eventlog, a sharded persistent actor. It tails its eventlog (a read waits at the
/// eventlog for the next event, so an idle trigger costs no polling), filters, transforms and hands events to the
/// <see cref="DeliveryScheduler"/>, which decides what to attempt now under the subscription's concurrency, order and rate;
/// attempts run as tasks whose outcomes come back as messages. Its journal holds the committed offset (every event before
/// it is delivered, dead-lettered or held as a persisted retry), the pending retries with their due times, and the counts:
/// after any crash the trigger reads again from the committed offset and re-arms its retries, so every event that passed the
/// filter reaches the sink at least once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop.")]
internal sealed partial class TriggerActor : JournaledActor, IWithTimers
{
    private const string WakeTimer = "wake";
    private const string FlushTimer = "flush";
    private const string ReadTimer = "read";

    private readonly string _entityId;
    private readonly TriggerSettings _settings;
    private readonly CancellationTokenSource _stopping = new();

    // Persisted state.
    private bool _started;
    private long _committed;
    private readonly RetrySet _retries = new();
    private TriggerCounts _counts = TriggerCounts.Zero;

    // Reading.
    private readonly ReadCursor _cursor = new();

    // Configuration.
    private TriggerConfig? _config;
    private SubscriptionGraph? _graph;
    private DeliveryScheduler? _scheduler;
    private string? _broken;

    /// <summary>A handler threw: the in-memory state may be half-changed, so it is never flushed and the next configuration restarts the actor.</summary>
    private bool _crashed;
    private bool _resolvingStart;
    private readonly List<IActorRef> _startWaiters = [];

    private string? _lastError;
    private DateTimeOffset? _lastErrorTime;
    private bool _deleted;

    public TriggerActor(string entityId, TriggerSettings settings)
    {
        _entityId = entityId;
        _settings = settings;
        PersistenceId = TriggerId.PersistenceIdOf(entityId);
        Recover<TriggerStarted>(e => (_started, _committed) = (true, e.Committed));
        Recover<TriggerProgress>(ApplyProgress);
        Recover<TriggerReset>(e =>
        {
            _committed = e.Committed;
            _retries.Clear();
        });
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TriggerSnapshot s)
            {
                (_started, _committed, _counts, _persistedCounts) = (s.Started, s.Committed, s.Counts, s.Counts);
                _retries.Clear();
                _retries.Apply(s.Retries, []);
            }
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _cursor.StartAt(_committed);
            Become(Active);
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, TriggerSettings settings) => Akka.Actor.Props.Create(() => new TriggerActor(entityId, settings));

    private bool Paused => _config?.Subscription.Paused ?? true;

    /// <summary>Delivering: configured, started, not paused and not broken.</summary>
    private bool Running => _config is not null && _started && !Paused && _broken is null && !_deleted;

    private void Active()
    {
        Command<ConfigureTrigger>(Configure);
        Command<GetTriggerStatus>(_ => Sender.Tell(Status()));
        Command<ResetTrigger>(Reset);
        Command<ResetResolved>(ResetResolved);
        Command<DeleteTrigger>(_ => Delete());
        Command<RedeliverDeadLetters>(Redeliver);
        Command<StartResolved>(StartResolved);
        Command<ReadDone>(ReadDone);
        Command<ReadTimedOut>(t =>
        {
            if (_cursor.IsCurrent(t.Generation, t.Offset))
            {
                _cursor.Done();
                MaybeRead();
            }
        });
        Command<BodyFetched>(BodyFetched);
        Command<AttemptDone>(AttemptDone);
        Command<DeadLetterDone>(DeadLetterDone);
        Command<RetryDeadLetter>(RetryDeadLetterNow);
        Command<WakeTick>(_ => Wake());
        Command<PumpNow>(_ => PumpAfterOutcomes());
        Command<FlushTick>(_ => Flush());
        Command<PullEvents>(Pull);
        Command<CancelPull>(CancelPull);
        Command<AckEvents>(Ack);
        Command<StopTrigger>(_ =>
        {
            Flush();
            DeferAsync(StopTrigger.Instance, _ => Context.Stop(Self));
        });
        Command<StartRetry>(_ => ResolveStart());
        HandlePersistenceReplies(() => $"Trigger {_entityId}", deleteOlderSnapshots: false);
    }

    private void Configure(ConfigureTrigger command)
    {
        if (_crashed)
        {
            // Restarted by the supervisor: recovery replays the journal, and the new incarnation takes the configuration.
            Self.Forward(command);
            throw new TriggerRestartException(_broken ?? "a handler failed");
        }

        var config = command.Config;
        if (_config is not null && config.Subscription.Version < _config.Subscription.Version)
        {
            Sender.Tell(new TriggerAck(_entityId, 0));
            return;
        }

        var first = _config is null;
        _config = config;
        Compile(config);
        if (!_started)
        {
            _startWaiters.Add(Sender);
            ResolveStart();
            return;
        }

        if (first)
        {
            Restore();
        }

        Sender.Tell(new TriggerAck(_entityId, 0));
        if (first)
        {
            Timers.StartPeriodicTimer(FlushTimer, FlushTick.Instance, _settings.FlushInterval);
        }

        Resume();
    }

    /// <summary>Compiles the subscription's graph (filter, transformer, delay, sink) and updates the scheduler; a definition that no longer compiles stops delivery with the reason.</summary>
    private void Compile(TriggerConfig config)
    {
        try
        {
            _graph = SubscriptionGraph.Compile(config.Subscription.ToSpec(), new SubscriptionGraphOptions { Http = _settings.Http, Time = _settings.Time });
            _broken = null;
        }
#pragma warning disable CA1031 // the subscription was validated when it was written; whatever fails now is reported, not thrown
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _broken = $"the subscription's definition cannot be used: {ex.Message}";
            Log.Error("Trigger {0}: {1}", _entityId, _broken);
            NoteError(_broken);
            return;
        }

        if (_scheduler is null)
        {
            _scheduler = new DeliveryScheduler(_graph.Policy);
        }
        else
        {
            _scheduler.UpdatePolicy(_graph.Policy);
        }
    }

    /// <summary>After a restart: the persisted retries go back to the scheduler, with their due times, before anything is read.</summary>
    private void Restore()
    {
        foreach (var retry in _retries.Entries.OrderBy(r => r.Id < 0 ? long.MaxValue : r.Id))
        {
            _scheduler!.Offer(retry.Id, retry.PartitionKey, new DateTimeOffset(retry.DueTicks, TimeSpan.Zero), retry.Attempt);
        }
    }

    private void ResolveStart()
    {
        if (_resolvingStart)
        {
            return;
        }

        _resolvingStart = true;
        var config = _config!;
        object query = config.Subscription.FromKind == SubscriptionStartKind.Time && config.Subscription.FromTime is { } time
            ? new FindOffset(config.SourceEntity, time)
            : new GetEventlogInfo(config.SourceEntity);
        _settings.Eventlogs.Ask<object>(query, _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new StartResolved(reply),
            failure: ex => new StartResolved(ex));
    }

    private void StartResolved(StartResolved resolved)
    {
        _resolvingStart = false;
        long? start = resolved.Reply switch
        {
            OffsetReply offset => offset.Offset,
            EventlogInfoReply info => _config!.Subscription.FromKind == SubscriptionStartKind.Earliest ? info.Earliest : info.Next,
            _ => null,
        };
        if (start is not { } position)
        {
            // The eventlog is not there yet (a node still starting): asked again shortly.
            Log.Warning("Trigger {0}: resolving the start position failed ({1}); retrying", _entityId, Asks.Describe(resolved.Reply));
            Timers.StartSingleTimer("start", new StartRetry(), _settings.RetryFailedIo);
            return;
        }

        Persist(new TriggerStarted(position), e =>
        {
            (_started, _committed) = (true, e.Committed);
            _cursor.StartAt(e.Committed);
            foreach (var waiter in _startWaiters)
            {
                waiter.Tell(new TriggerAck(_entityId, 0));
            }

            _startWaiters.Clear();
            Timers.StartPeriodicTimer(FlushTimer, FlushTick.Instance, _settings.FlushInterval);
            Resume();
        });
    }

    /// <summary>Delivery may go on (configured, started, resumed): read and attempt whatever is due.</summary>
    private void Resume()
    {
        MaybeRead();
        Pump();
        SatisfyPulls();
    }

    private TriggerStatus Status() => new(
        _started ? Committed() : -1,
        _counts,
        _retries.Count,
        _lastError,
        _lastErrorTime,
        _started);

    private void NoteError(string error)
    {
        _lastError = error;
        _lastErrorTime = _settings.Time.GetUtcNow();
    }

    private void Delete()
    {
        _deleted = true;
        Timers.CancelAll();
        DeleteMessages(long.MaxValue);
        DeleteSnapshots(SnapshotSelectionCriteria.Latest);
        Sender.Tell(new TriggerAck(_entityId, 0));
        Context.Stop(Self);
    }


    /// <summary>
    /// A message whose handling throws stops this trigger's delivery with the reason in its status, where the default
    /// (restart, recover, meet the same event, throw again) would loop forever. Changing the subscription compiles it
    /// again and resumes; the journal holds what was committed, so nothing is skipped.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
#pragma warning disable CA1031 // any failure of a handler is reported and stops delivery; rethrowing restarts the actor into the same failure
        catch (Exception ex) when (ex is not ActorKilledException and not ActorInitializationException and not TriggerRestartException)
#pragma warning restore CA1031
        {
            _broken = $"delivery stopped by an unexpected error handling {message.GetType().Name}: {ex.Message}";
            Log.Error(ex, "Trigger {0}: {1}", _entityId, _broken);
            NoteError(_broken);

            // The handler may have stopped half-way: nothing of this state is persisted (the journal keeps the last good
            // progress) and a reconfiguration restarts the actor from the journal rather than resuming on top of it.
            _crashed = true;
            Timers.Cancel(WakeTimer);
            Timers.Cancel(FlushTimer);

            // Whoever asked gets the reason rather than a timeout.
            if (message is ITriggerCommand && !Sender.IsNobody())
            {
                Sender.Tell(new Refusal(Runtime.Broker.BrokerErrorKind.Unavailable, $"trigger {_entityId}: {_broken}", null));
            }

            return true;
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    /// <summary>Time to resolve the start position again.</summary>
    private sealed record StartRetry : INoSerializationVerificationNeeded, IDeadLetterSuppression;
}

/// <summary>Thrown to have the supervisor restart a trigger whose handler failed, so that it recovers from its journal.</summary>
internal sealed class TriggerRestartException(string reason) : Exception($"restarting the trigger after: {reason}");
