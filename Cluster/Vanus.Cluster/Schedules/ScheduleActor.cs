using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Vanus.Cluster.Controller;
using Vanus.Operators.Timing;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Schedules;

/// <summary>
/// One schedule, a sharded persistent actor: it waits on the node's <see cref="TimeProvider"/> for the next occurrence,
/// then emits the schedule's event into its bus exactly once. The journal records <see cref="ScheduleFiring"/> before the
/// append and <see cref="ScheduleFired"/> after it, so after any crash a firing without its fired record is "in doubt":
/// the actor reads the bus from the firing's time on and appends only if the occurrence's event is not there. Occurrences
/// that passed while the node was down (or while emitting was failing) are emitted as one event, the latest of them,
/// marked with <see cref="ScheduleAttributes.Missed"/>. It is started by the controller (on create and after the controller
/// recovers), since entities are started on demand; the broker deletes its journal when the schedule is deleted.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop.")]
internal sealed partial class ScheduleActor : JournaledActor, IWithTimers
{
    private readonly string _entityId;
    private readonly ScheduleSettings _settings;
    private const string ReadyTimer = "ready";

    private readonly CancellationTokenSource _stopping = new();

    // Persisted state.
    private DateTimeOffset? _lastFired;
    private long _fired;
    private long _missed;
    private ScheduleFiring? _pending;
    private ScheduleHalted? _halted;
    private long _firedSinceSnapshot;

    // Configuration and what is going on now.
    private ScheduleEntry? _entry;
    private ScheduleClock? _clock;
    private bool _busy;
    private bool _appendSafe;
    private bool _handingOff;
    private readonly List<IActorRef> _forgetters = [];
    private bool _forgotten;
    private int _failures;
    private int _notFound;
    private string? _lastError;
    private DateTimeOffset? _lastErrorTime;

    public ScheduleActor(string entityId, ScheduleSettings settings)
    {
        _entityId = entityId;
        _settings = settings;
        PersistenceId = ScheduleIds.PersistenceId(entityId);
        Recover<ScheduleFiring>(e => _pending = e);
        Recover<ScheduleFired>(Apply);
        Recover<ScheduleHalted>(e => (_halted, _pending) = (e, null));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ScheduleSnapshot s)
            {
                (_lastFired, _fired, _missed, _pending, _halted) = (s.LastFired, s.Fired, s.Missed, s.Pending, s.Halted);
            }
        });
        Recover<RecoveryCompleted>(_ => Become(Active));
    }

    public override string PersistenceId { get; }

    /// <summary>Akka's timers: only for waiting on the node's readiness; occurrences and retries wait on the node's <see cref="TimeProvider"/>.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, ScheduleSettings settings) => Akka.Actor.Props.Create(() => new ScheduleActor(entityId, settings));

    private string Describe => _entry is { } e ? $"Schedule '{e.Name}' of namespace '{e.Namespace}'" : $"Schedule {_entityId}";

    private void Active()
    {
        Command<ConfigureSchedule>(Configure);
        Command<GetScheduleStatus>(_ => Sender.Tell(Status()));
        Command<ForgetSchedule>(Forget);
        Command<StopSchedule>(_ => HandOff());
        Command<ScheduleTick>(Tick);
        Command<AppendDone>(AppendDone);
        Command<CheckDone>(CheckDone);
        HandlePersistenceReplies(() => Describe, deleteOlderSnapshots: true);
    }

    private void Configure(ConfigureSchedule command)
    {
        if (_entry is not null)
        {
            // A schedule's document never changes, so a second configuration (the controller waking it again) is a no-op.
            Sender.Tell(new ScheduleAck(_entityId));
            return;
        }

        var entry = command.Entry;
        _entry = entry;
        try
        {
            _clock = ScheduleClock.Create(entry.Cron, entry.TimeZone, entry.IntervalTicks is { } t ? TimeSpan.FromTicks(t) : null, entry.CreatedAt);
        }
        catch (FormatException e)
        {
            // Checked when it was created, so this node's time zone data lacks the zone. Not persisted as a stop: the
            // schedule runs again wherever (or once) the zone is known.
            NoteError($"the schedule cannot be computed on this node: {e.Message}");
            Log.Error("{0}: {1}", Describe, _lastError);
            Sender.Tell(new ScheduleAck(_entityId));
            return;
        }

        // Acknowledged once its timer is set: from then on, a clock moved past an occurrence finds it waiting.
        Proceed();
        Sender.Tell(new ScheduleAck(_entityId));
    }

    /// <summary>Decides what to do next when nothing is in flight: settle a firing in doubt, or look at the clock.</summary>
    private void Proceed()
    {
        if (_entry is null || _clock is null || _halted is not null || _busy || _forgotten || _handingOff)
        {
            return;
        }

        if (!BrokerReady())
        {
            // The node is still loading its catalog: how long that takes is the node's own real time, not the schedule's
            // clock, so this wait is not a timer on it (nor a failure with a backoff).
            Disarm();
            Timers.StartSingleTimer(ReadyTimer, new ScheduleTick(_generation), _settings.ReadyPoll);
            return;
        }

        if (_pending is { } firing)
        {
            if (_appendSafe)
            {
                Append(firing);
            }
            else
            {
                Check(firing);
            }

            return;
        }

        Evaluate();
    }

    /// <summary>Fires the occurrences that are due as one event, or waits for the next one.</summary>
    private void Evaluate()
    {
        var entry = _entry!;
        var now = _settings.Time.GetUtcNow();
        var after = _lastFired ?? entry.CreatedAt;
        var (count, latest) = _clock!.Due(after, now);
        if (count == 0)
        {
            Arm(_clock.NextAfter(after));
            return;
        }

        // On time, one occurrence is due and the timer woke for it. Several due at once, or one long past (the node was
        // down, or emitting kept failing), were missed: one event stands for them all.
        var missed = count > 1 || now - latest > _settings.LateTolerance ? count : 0;
        if (missed > 0)
        {
            Log.Warning("{0}: {1} occurrence(s) up to {2:O} were missed; emitting one event for them", Describe, count, latest);
        }

        Persist(new ScheduleFiring(latest, now, missed), firing =>
        {
            _pending = firing;
            _appendSafe = true;
            Append(firing);
        });
    }

    private void Tick(ScheduleTick tick)
    {
        if (tick.Generation != _generation)
        {
            return;
        }

        Disarm();
        Proceed();
    }

    /// <summary>The occurrence's event is stored: recorded as fired, then on to the next occurrence.</summary>
    private void RecordFired(ScheduleFiring firing)
    {
        Persist(new ScheduleFired(firing.Occurrence), fired =>
        {
            Apply(fired);
            (_failures, _notFound, _appendSafe) = (0, 0, false);
            if (++_firedSinceSnapshot >= _settings.SnapshotEvery)
            {
                _firedSinceSnapshot = 0;
                SaveSnapshot(new ScheduleSnapshot(_lastFired, _fired, _missed, _pending, _halted));
            }

            if (!Settle())
            {
                Proceed();
            }
        });
    }

    private void Apply(ScheduleFired fired)
    {
        if (_pending is { } firing && firing.Occurrence == fired.Occurrence)
        {
            _missed += firing.Missed;
        }

        _pending = null;
        _lastFired = fired.Occurrence;
        _fired++;
    }

    /// <summary>Stops the schedule for good: its eventbus is gone.</summary>
    private void Halt(string reason)
    {
        Disarm();
        Persist(new ScheduleHalted(reason, _settings.Time.GetUtcNow()), halted =>
        {
            (_halted, _pending) = (halted, null);
            NoteError(reason);
            Log.Error("{0} stopped: {1}", Describe, reason);
            Settle();
        });
    }

    /// <summary>A deleted schedule: once nothing is in flight, its journal is deleted and it stops.</summary>
    private void Forget(ForgetSchedule command)
    {
        _forgetters.Add(Sender);
        if (!_busy)
        {
            Settle();
        }
    }

    /// <summary>The shard hands the schedule off (the node stops): once nothing is in flight, it stops; a firing in doubt is settled at the next start.</summary>
    private void HandOff()
    {
        _handingOff = true;
        if (!_busy)
        {
            Settle();
        }
    }

    /// <summary>Ends the actor if a delete or a hand-off waits for the work in flight; true when it did.</summary>
    private bool Settle()
    {
        if (_forgetters.Count > 0)
        {
            _forgotten = true;
            Disarm();
            DeleteMessages(long.MaxValue);
            DeleteSnapshots(SnapshotSelectionCriteria.Latest);
            foreach (var forgetter in _forgetters)
            {
                forgetter.Tell(new ScheduleAck(_entityId));
            }

            _forgetters.Clear();
            Context.Stop(Self);
            return true;
        }

        if (_handingOff)
        {
            Disarm();
            Context.Stop(Self);
            return true;
        }

        return false;
    }

    private bool BrokerReady() => _settings.Bus.IsReady;

    private ScheduleStatus Status()
    {
        DateTimeOffset? next = null;
        if (_entry is { } entry && _clock is not null && _halted is null)
        {
            next = _pending?.Occurrence ?? _clock.NextAfter(_lastFired ?? entry.CreatedAt);
        }

        return new ScheduleStatus(_entry is not null, next, _lastFired, _fired, _missed, _halted is not null, _lastError, _lastErrorTime);
    }

    private void NoteError(string error)
    {
        _lastError = error;
        _lastErrorTime = _settings.Time.GetUtcNow();
    }

    protected override void PostStop()
    {
        Disarm();
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }
}
