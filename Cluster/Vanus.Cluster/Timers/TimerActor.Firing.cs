using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Timers;

internal sealed partial class TimerActor
{
    /// <summary>A batch taking this long (from its start to its last append) is logged with where the time went.</summary>
    private static readonly TimeSpan SlowBatch = TimeSpan.FromMilliseconds(100);

    // Timers due and not yet in a batch, in due order.
    private readonly Queue<long> _due = new();
    private readonly List<long> _expired = [];

    // Timers fired (or dropped) since the last record.
    private readonly List<long> _confirmed = [];
    private Cycle? _cycle;
    // Random start: replies meant for a batch of a previous incarnation of this actor (restarted in place) never match.
    private long _cycleSeq = Random.Shared.NextInt64(1, long.MaxValue / 2);
    private bool _extending;

    /// <summary>Points the precise timer at the wheel's next due time, when that is earlier than what it points at now.</summary>
    private void Arm()
    {
        if (_stopRequested || _wheel.NextDue is not { } next || (_armedFor is { } armed && armed <= next))
        {
            return;
        }

        if (next.UtcTicks > _lease)
        {
            // Not before the lease covers it: extending the lease expires it.
            if (next - Now <= _settings.LeaseAhead && _phase == Phase.Running)
            {
                ExtendLease();
            }

            return;
        }

        _armedFor = next;
        var wait = next - Now;
        _precise!.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Tick()
    {
        _armedFor = null;
        Expire();
    }

    /// <summary>Moves the wheel to now and starts a batch with whatever fell due, unless one is being appended.</summary>
    private void Expire()
    {
        if (_phase != Phase.Running || _stopRequested)
        {
            return;
        }

        var now = Now;
        _wheel.Advance(now.UtcTicks <= _lease ? now : new DateTimeOffset(_lease, TimeSpan.Zero), _expired);
        foreach (var offset in _expired)
        {
            _due.Enqueue(offset);
        }

        _expired.Clear();
        StartCycle();
        Arm();
    }

    /// <summary>
    /// A batch: its bodies are gathered (held, or read by offset) while the batch is persisted as in doubt; once both are
    /// done each target gets one append.
    /// </summary>
    private void StartCycle()
    {
        if (_cycle is not null || _due.Count == 0 || _stopRequested)
        {
            return;
        }

        var offsets = new long[Math.Min(_due.Count, _settings.MaxBatch)];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = _due.Dequeue();
        }

        var cycle = _cycle = new Cycle(++_cycleSeq, offsets, Now);
        List<long>? missing = null;
        foreach (var offset in offsets)
        {
            if (_hot.Remove(offset, out var body))
            {
                cycle.Bodies[offset] = body;
            }
            else
            {
                (missing ??= []).Add(offset);
            }
        }

        if (missing is null)
        {
            cycle.BodiesReady = true;
        }
        else
        {
            ReadBodies(cycle, missing);
        }

        MaybeAppend(cycle);
    }

    /// <summary>Extends the lease when timers are due within it, and records what fired since the last record.</summary>
    private void LeaseTick()
    {
        if (_phase != Phase.Running || _stopRequested)
        {
            return;
        }

        var soon = _wheel.NextDue is { } next && next.UtcTicks <= (Now + _settings.LeaseAhead).UtcTicks;
        var extended = (soon || _due.Count > 0) && _lease - Now.UtcTicks < _settings.LeaseAhead.Ticks / 2 && ExtendLease();
        if (!extended && _confirmed.Count > 0 && !_extending)
        {
            PersistCheckpoint();
        }
    }

    /// <summary>Persists a lease reaching <see cref="TimerSettings.LeaseAhead"/> past now (with what fired); timers due by it may fire once it is written. False when nothing was persisted.</summary>
    private bool ExtendLease()
    {
        if (_extending)
        {
            return false;
        }

        // Never past the horizon the same record saves: a timer a far-window read has loaded fires only once a record
        // with the new horizon is written, so a restart sees it as due by the lease and looks for its marker.
        var lease = Math.Min((Now + _settings.LeaseAhead).UtcTicks, _loadedUpTo);
        if (lease <= _lease)
        {
            return false;
        }

        _extending = true;
        _persisting++;
        PersistAsync(Checkpoint(lease), _ =>
        {
            _persisting--;
            _extending = false;
            _lease = Math.Max(_lease, lease);
            SnapshotIfDue();
            Expire();
        });
        return true;
    }

    private void ReadBodies(Cycle cycle, List<long> offsets) =>
        _settings.Eventlogs.Ask<object>(new ReadOffsets(LogEntity, offsets), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new BodiesRead(cycle.Id, reply),
            failure: ex => new BodiesRead(cycle.Id, ex));

    private void BodiesRead(BodiesRead read)
    {
        if (_cycle is not { } cycle || cycle.Id != read.Cycle)
        {
            return;
        }

        if (read.Reply is not ReadReply reply)
        {
            Log.Warning("Timers {0}: reading the events of {1} due timers failed ({2}); retrying", _entityId, cycle.Offsets.Length, Asks.Describe(read.Reply));
            var missing = cycle.Offsets.Where(o => !cycle.Bodies.ContainsKey(o)).ToList();
            Timers.StartSingleTimer("bodies", new RereadBodies(cycle.Id, missing), _settings.RetryFailedIo);
            return;
        }

        foreach (var record in reply.Records)
        {
            cycle.Bodies[record.Offset] = record.Event;
        }

        foreach (var offset in cycle.Offsets)
        {
            if (!cycle.Bodies.ContainsKey(offset))
            {
                // The log no longer has it (it cannot be appended): counted as dropped, never retried forever.
                Log.Error("Timers {0}: the event of timer {1} is no longer stored; dropping it", _entityId, offset);
                cycle.Dropped.Add(offset);
            }
        }

        cycle.BodiesReady = true;
        cycle.BodiesAt = Now;
        MaybeAppend(cycle);
    }

    private void MaybeAppend(Cycle cycle)
    {
        if (!cycle.BodiesReady || cycle.Started || _cycle != cycle)
        {
            return;
        }

        cycle.Started = true;
        foreach (var offset in cycle.Dropped)
        {
            Confirm(offset, dropped: true);
        }

        foreach (var (target, offsets) in cycle.ByTarget())
        {
            cycle.Outstanding++;
            var events = offsets.Select(o => Due(cycle.Bodies[o], o)).ToList();
            _settings.Targets.AppendDueAsync(target, events, _stopping.Token).PipeTo(
                Self,
                success: outcome => new TargetAppended(cycle.Id, target, offsets, outcome),
                failure: ex => new TargetAppended(cycle.Id, target, offsets, new TimerAppendOutcome(TimerAppendKind.Unknown, ex.Message)));
        }

        MaybeFinish(cycle);
    }

    /// <summary>The event as its bus gets it: without the internal target, with the marker naming its timer.</summary>
    private Event Due(Event held, long offset) =>
        held with
        {
            Extensions = held.Extensions
                .Without(TimerIds.TargetAttribute)
                .With(TimerIds.MarkerAttribute, AttributeValue.FromString(TimerIds.Marker(_index, offset))),
        };

    private void TargetAppended(TargetAppended done)
    {
        if (_cycle is not { } cycle || cycle.Id != done.Cycle)
        {
            return;
        }

        switch (done.Outcome.Kind)
        {
            case TimerAppendKind.Stored:
                foreach (var offset in done.Offsets)
                {
                    Confirm(offset, dropped: false);
                }

                break;
            case TimerAppendKind.Gone:
                Log.Warning("Timers {0}: dropping {1} timers: their eventbus {2} no longer exists ({3})", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                foreach (var offset in done.Offsets)
                {
                    Confirm(offset, dropped: true);
                }

                break;
            case TimerAppendKind.Retry:
                Log.Warning("Timers {0}: {1} due timers for {2} were not appended ({3}); trying again shortly", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                Requeue(cycle, done.Offsets, Now + _settings.RetryFailedIo);
                break;
            default:
                Log.Warning("Timers {0}: the append of {1} due timers to {2} may have failed ({3}); looking for them before trying again", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                Check(cycle.Id, done.Target, done.Offsets);
                return;
        }

        cycle.Outstanding--;
        MaybeFinish(cycle);
    }

    /// <summary>Looks for the markers of appends in doubt in their target bus.</summary>
    private void Check(long cycleId, TimerTarget target, long[] offsets)
    {
        if (_cycle is not { } cycle || cycle.Id != cycleId)
        {
            return;
        }

        var markers = offsets.Select(o => TimerIds.Marker(_index, o)).ToHashSet(StringComparer.Ordinal);
        _settings.Targets.FindMarkersAsync(target, cycle.Since - _settings.DoubtSlack, markers, _stopping.Token).PipeTo(
            Self,
            success: found => new DoubtResolved(cycleId, target, offsets, found, null),
            failure: ex => new DoubtResolved(cycleId, target, offsets, null, ex.Message));
    }

    private void DoubtResolved(DoubtResolved resolved)
    {
        if (_cycle is not { } cycle || cycle.Id != resolved.Cycle)
        {
            return;
        }

        if (resolved.Found is not { } found)
        {
            Log.Warning("Timers {0}: looking for appended timers in {1} failed ({2}); trying again shortly", _entityId, resolved.Target, resolved.Error);
            Timers.StartSingleTimer("doubt:" + resolved.Target, new RecheckDoubt(resolved.Cycle, resolved.Target, resolved.Offsets), _settings.RetryFailedIo);
            return;
        }

        var again = new List<long>();
        foreach (var offset in resolved.Offsets)
        {
            if (found.Contains(TimerIds.Marker(_index, offset)))
            {
                Confirm(offset, dropped: false);
            }
            else
            {
                again.Add(offset);
            }
        }

        if (again.Count > 0)
        {
            // Not in the bus: appended again (still due by the lease until then, so a crash looks again). While running,
            // after a pause: the append that failed may fail again, and must not turn into a loop of appends and searches.
            Requeue(cycle, [.. again], _phase == Phase.Running ? Now + _settings.RetryFailedIo : null);
        }

        cycle.Outstanding--;
        MaybeFinish(cycle);
    }

    /// <summary>Puts timers of a batch back: into the next batch at once, or into the wheel for a later try.</summary>
    private void Requeue(Cycle cycle, long[] offsets, DateTimeOffset? at)
    {
        foreach (var offset in offsets)
        {
            if (cycle.Bodies.TryGetValue(offset, out var body) && _hot.Count < _settings.MaxHot)
            {
                _hot[offset] = body;
            }

            if (at is { } time)
            {
                _wheel.Schedule(time, offset);
            }
            else
            {
                cycle.Again.Add(offset);
            }
        }
    }

    private void MaybeFinish(Cycle cycle)
    {
        if (!cycle.Started || cycle.Outstanding > 0 || _cycle != cycle)
        {
            return;
        }

        _cycle = null;
        PostStats();
        var took = Now - cycle.Since;
        if (took >= SlowBatch)
        {
            // Lateness comes from here: which step was slow says where to look.
            Log.Warning(
                "Timers {0}: a batch of {1} took {2:0} ms (events read after {3:0} ms, appended after {4:0} ms)",
                _entityId,
                cycle.Offsets.Length,
                took.TotalMilliseconds,
                ((cycle.BodiesAt ?? cycle.Since) - cycle.Since).TotalMilliseconds,
                took.TotalMilliseconds);
        }

        if (_phase == Phase.Resolving)
        {
            // Not appended before the stop: back into the wheel at their own due times (some may not be due yet).
            foreach (var offset in cycle.Again)
            {
                var due = DeliveryTimes.TryRead(cycle.Bodies[offset], out var time, out _) && time is { } t ? t : Now;
                _wheel.Schedule(due, offset);
            }

            Run();
            return;
        }

        if (cycle.Again.Count > 0)
        {
            var rest = _due.ToArray();
            _due.Clear();
            foreach (var offset in cycle.Again.Concat(rest))
            {
                _due.Enqueue(offset);
            }
        }

        if (_stopRequested)
        {
            return;
        }

        // What fired is recorded by the next lease tick: until then it is due by the lease, and a restart would find its marker.
        Expire();
        Arm();
    }

    private void Confirm(long offset, bool dropped)
    {
        if (!_fired.Add(offset))
        {
            return;
        }

        _confirmed.Add(offset);
        _hot.Remove(offset);
        Count(offset, -1);
        if (dropped)
        {
            _droppedCount++;
        }
        else
        {
            _firedCount++;
        }
    }

    /// <summary>One batch of due timers: their offsets, bodies, and how far its intent record and appends have come.</summary>
    private sealed class Cycle(long id, long[] offsets, DateTimeOffset since)
    {
        public long Id { get; } = id;

        public long[] Offsets { get; } = offsets;

        /// <summary>When the batch started: its appends are stored at or after it (for a batch resolved after a restart, its earliest due time).</summary>
        public DateTimeOffset Since { get; set; } = since;

        public Dictionary<long, Event> Bodies { get; } = [];

        public List<long> Dropped { get; } = [];

        public List<long> Again { get; } = [];

        public DateTimeOffset? BodiesAt { get; set; }

        public bool BodiesReady { get; set; }

        public bool Started { get; set; }

        public int Outstanding { get; set; }

        /// <summary>The batch's timers with a body, grouped by target in batch (due) order.</summary>
        public IEnumerable<(TimerTarget Target, long[] Offsets)> ByTarget() =>
            Offsets
                .Where(Bodies.ContainsKey)
                .GroupBy(o => TargetOf(Bodies[o]))
                .Select(g => (g.Key, g.ToArray()));

        // The attribute is written by this node only; one that does not parse names no bus, so its timers are dropped.
        private static TimerTarget TargetOf(Event held) =>
            held.Extensions.TryGet(TimerIds.TargetAttribute, out var t) && TimerTarget.TryParse(t.AsText, out var target) ? target.Value : default;
    }

    /// <summary>A read of a batch's bodies failed: it is tried again after a pause.</summary>
    private sealed record RereadBodies(long Cycle, List<long> Offsets) : INoSerializationVerificationNeeded;
}
