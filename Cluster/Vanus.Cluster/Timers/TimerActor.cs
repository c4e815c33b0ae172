using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Vanus.Cluster.Eventlogs;
using Vanus.Operators.Timing;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Timers;

/// <summary>
/// The timer service for one timer eventlog, a sharded persistent actor. Held events are stored in its eventlog by the
/// broker when they are accepted; the actor tails the log and keeps, for each timer due within the horizon, an entry in a
/// <see cref="TimingWheel{T}"/> — the timer's offset and due time, not the event. Timers due later stay on disk, counted
/// per far window, and are read back a window at a time as it comes within the horizon. When timers fall due the actor
/// persists the batch as in doubt, appends each event to its target bus (with a marker naming the timer), and records them
/// as fired in the next record. After a crash it reads the log again from the lowest unfired timer, skips the fired ones
/// (a bitmap), and looks for the markers of the batch in doubt in its target bus before appending any of them again: every
/// timer is appended once, and never before it is due.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop.")]
internal sealed partial class TimerActor : JournaledActor, IWithTimers
{
    private const string HousekeepingTimer = "housekeeping";
    private const string RetryTimer = "retry";
    private const string LeaseTimer = "lease";

    private readonly string _entityId;
    private readonly int _index;
    private readonly TimerSettings _settings;
    private readonly CancellationTokenSource _stopping = new();

    // Persisted state.
    private long _frontier;
    private long _loadedUpTo;
    private long _recoveryFrom;
    private readonly SortedDictionary<long, FarBucket> _far = [];
    private readonly OffsetBitmap _fired = new();
    private long _lease;
    private long _firedCount;
    private long _droppedCount;

    private Phase _phase = Phase.Starting;
    private ITimer? _precise;
    private DateTimeOffset? _armedFor;
    private bool _dirty;
    private int _sinceSnapshot;
    private bool _stopRequested;
    private int _persisting;

    public TimerActor(string entityId, TimerSettings settings)
    {
        _entityId = entityId;
        _index = TimerIds.IndexOf(entityId);
        _settings = settings;
        _wheel = new TimingWheel<long>(settings.Time.GetUtcNow());
        PersistenceId = TimerIds.PersistenceId(entityId);
        Recover<TimerProgress>(Apply);
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TimerSnapshot snapshot)
            {
                _fired.Restore(snapshot.FiredChunks);
                Apply(snapshot.State);
            }
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _fired.PruneBelow(PruneFloor());
            Become(Active);
            CreateLog();
        });
    }

    private enum Phase
    {
        /// <summary>Making sure the timer eventlog exists.</summary>
        Starting,

        /// <summary>Reading the log from the lowest unfired timer to its end, rebuilding the wheel.</summary>
        Loading,

        /// <summary>Finding out whether the batch in doubt at the crash was appended.</summary>
        Resolving,

        /// <summary>Tailing the log and firing timers.</summary>
        Running,
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private string LogEntity => _entityId;

    public static Props Props(string entityId, TimerSettings settings) => Akka.Actor.Props.Create(() => new TimerActor(entityId, settings));

    private DateTimeOffset Now => _settings.Time.GetUtcNow();

    private void Active()
    {
        Command<WakeTimers>(_ => { });
        Command<TimerLogReady>(LogReady);
        Command<TimerRead>(ReadDone);
        Command<TimerTick>(_ => Tick());
        Command<TimerHousekeeping>(_ => Housekeeping());
        Command<TimerLeaseTick>(_ => LeaseTick());
        Command<BodiesRead>(BodiesRead);
        Command<TargetAppended>(TargetAppended);
        Command<DoubtResolved>(DoubtResolved);
        Command<RecheckDoubt>(r => Check(r.Cycle, r.Target, r.Offsets));
        Command<RereadBodies>(r =>
        {
            if (_cycle is { } cycle && cycle.Id == r.Cycle)
            {
                ReadBodies(cycle, r.Offsets);
            }
        });
        Command<TimerRetry>(_ => Retry());
        Command<StopTimers>(_ => Stop());
        HandlePersistenceReplies(() => $"Timers {_entityId}", deleteOlderSnapshots: false);
    }

    protected override void PreStart()
    {
        base.PreStart();
        var self = Self;
        _precise = _settings.Time.CreateTimer(_ => self.Tell(TimerTick.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    protected override void PostStop()
    {
        _precise?.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
        _settings.Board.Post(_entityId, Stats() with { Ready = false });
        base.PostStop();
    }

    private void Apply(TimerProgress progress)
    {
        foreach (var offset in progress.Fired)
        {
            _fired.Add(offset);
        }

        _frontier = progress.Frontier;
        _loadedUpTo = progress.LoadedUpToTicks;
        _recoveryFrom = progress.RecoveryFrom;
        _far.Clear();
        foreach (var bucket in progress.Far)
        {
            _far[bucket.StartTicks] = bucket;
        }

        _lease = Math.Max(_lease, progress.LeaseTicks);
        _firedCount = progress.FiredCount;
        _droppedCount = progress.DroppedCount;
    }

    private void CreateLog()
    {
        _settings.Eventlogs.Ask<object>(new CreateEventlog(LogEntity, TimerIds.LogConfig(_index)), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new TimerLogReady(reply),
            failure: ex => new TimerLogReady(ex));
    }

    private void LogReady(TimerLogReady ready)
    {
        if (ready.Reply is not EventlogAck)
        {
            Log.Warning("Timers {0}: opening the timer eventlog failed ({1}); retrying", _entityId, Asks.Describe(ready.Reply));
            Timers.StartSingleTimer(RetryTimer, TimerRetry.Instance, _settings.RetryFailedIo);
            return;
        }

        if (_loadedUpTo == 0)
        {
            _loadedUpTo = (Now + _settings.Horizon).UtcTicks;
        }

        _phase = Phase.Loading;
        StartScan(ScanMode.Recovery, _recoveryFrom, long.MaxValue);
    }

    /// <summary>Recovery read the log to its end: the batch in doubt (if any) is resolved, then the actor runs.</summary>
    private void Loaded()
    {
        Log.Info("Timers {0}: {1} timers in the wheel and {2} beyond the horizon, read from offset {3} to {4}", _entityId, _loaded, FarCount, _recoveryFrom, _frontier);
        var doubt = _doubtBodies.Keys.Where(o => !_fired.Contains(o)).ToArray();
        if (doubt.Length == 0)
        {
            _doubtBodies.Clear();
            Run();
            return;
        }

        _phase = Phase.Resolving;
        Log.Info("Timers {0}: {1} timers were due by the last firing lease; looking for them in their buses", _entityId, doubt.Length);
        var since = DateTimeOffset.MaxValue;
        var cycle = new Cycle(++_cycleSeq, doubt, Now) { BodiesReady = true, Started = true };
        foreach (var offset in doubt)
        {
            var body = _doubtBodies[offset];
            cycle.Bodies[offset] = body;
            if (DeliveryTimes.TryRead(body, out var due, out _) && due < since)
            {
                since = due.Value;
            }
        }

        // Each was appended (if at all) at or after its due time: the search starts at the earliest of them.
        cycle.Since = since;
        _doubtBodies.Clear();
        _cycle = cycle;
        foreach (var (target, offsets) in cycle.ByTarget())
        {
            cycle.Outstanding++;
            Check(cycle.Id, target, offsets);
        }
    }

    private void Run()
    {
        _phase = Phase.Running;
        Timers.StartPeriodicTimer(HousekeepingTimer, TimerHousekeeping.Instance, _settings.HousekeepingInterval);
        Timers.StartPeriodicTimer(LeaseTimer, TimerLeaseTick.Instance, _settings.LeaseInterval);
        Persist(Checkpoint(), _ => { });
        PostStats();
        Expire();
        MaybeTail();
    }

    private void Housekeeping()
    {
        if (_phase != Phase.Running)
        {
            return;
        }

        SlideHorizon();
        if (_dirty && _scan is null)
        {
            PersistCheckpoint();
        }

        PostStats();
    }

    private void PersistCheckpoint(long lease = 0)
    {
        _persisting++;
        PersistAsync(Checkpoint(lease), _ =>
        {
            _persisting--;
            SnapshotIfDue();
        });
    }

    /// <summary>
    /// The record of the state now: what fired since the last record, the scan's position, and the batch in doubt. A
    /// record for a snapshot leaves the fired list to the next record (the snapshot's bitmap has them): should the
    /// snapshot fail to save, the journal still holds every fired timer.
    /// </summary>
    private TimerProgress Checkpoint(long lease = 0, bool forSnapshot = false)
    {
        var recoveryFrom = _frontier;
        if (_loadedChunks.Count > 0)
        {
            recoveryFrom = Math.Min(recoveryFrom, _loadedChunks.Keys.First() * OffsetBitmap.ChunkOffsets);
        }

        _recoveryFrom = recoveryFrom;
        var progress = new TimerProgress(
            _frontier,
            _loadedUpTo,
            recoveryFrom,
            FarForRecord(),
            forSnapshot ? [] : [.. _confirmed],
            Math.Max(lease, _lease),
            _firedCount,
            _droppedCount);
        if (!forSnapshot)
        {
            _dirty = false;
            _confirmed.Clear();
        }

        return progress;
    }

    /// <summary>
    /// The far windows a record lists. While windows are being read back the record keeps them as they were (with the old
    /// horizon): a restart then reads them again, where a record without them would lose their timers.
    /// </summary>
    private List<FarBucket> FarForRecord()
    {
        if (_scan is not { Mode: ScanMode.Rescan } scan)
        {
            return [.. _far.Values];
        }

        return [.. _far.Values.Where(b => !scan.Buckets.Contains(b.StartTicks)), .. scan.Removed];
    }

    private void SnapshotIfDue()
    {
        // Only with no record in flight: a record written after the snapshot's state but replayed after it would move
        // the counts back.
        if (++_sinceSnapshot < _settings.SnapshotEvery || _persisting > 0)
        {
            return;
        }

        _sinceSnapshot = 0;
        var state = Checkpoint(forSnapshot: true);
        _fired.PruneBelow(state.Far.Count == 0 ? state.RecoveryFrom : Math.Min(state.RecoveryFrom, state.Far.Min(b => b.MinOffset)));
        SaveSnapshot(new TimerSnapshot(state, _fired.ToChunks()));
    }

    /// <summary>
    /// Below this offset no fired bit is ever asked about again: a restart reads from the lowest unfired loaded timer, and
    /// a far window is read back from its lowest offset, so bits are kept from the lower of the two.
    /// </summary>
    private long PruneFloor() => _far.Count == 0 ? _recoveryFrom : Math.Min(_recoveryFrom, _far.Values.Min(b => b.MinOffset));

    private void Retry()
    {
        switch (_phase)
        {
            case Phase.Starting:
                CreateLog();
                break;
            default:
                ContinueScan();
                MaybeTail();
                break;
        }
    }

    private void Stop()
    {
        if (_stopRequested)
        {
            return;
        }

        _stopRequested = true;
        _precise?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Timers.CancelAll();
        if (_phase == Phase.Running)
        {
            // A batch still being appended is due by the lease: the next start looks for it before firing again.
            PersistAsync(Checkpoint(), _ => { });
        }

        DeferAsync(StopTimers.Instance, _ => Context.Stop(Self));
    }

    private TimerStats Stats() => new(_loaded + FarCount, _loaded, _firedCount, _droppedCount, _phase == Phase.Running);

    private void PostStats() => _settings.Board.Post(_entityId, Stats());


    /// <summary>A search for markers failed: it is tried again after a pause.</summary>
    private sealed record RecheckDoubt(long Cycle, TimerTarget Target, long[] Offsets) : INoSerializationVerificationNeeded;
}
