using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Timers;

internal sealed partial class TimerActor
{
    // Timers due and not yet in a batch, in due order.
    private readonly Queue<long> _due = new();
    private readonly List<long> _expired = [];

    // Timers fired (or dropped) since the last record.
    private readonly List<long> _confirmed = [];
    private Cycle? _cycle;
    private long _cycleSeq;

    /// <summary>Points the precise timer at the wheel's next due time, when that is earlier than what it points at now.</summary>
    private void Arm()
    {
        if (_stopRequested || _wheel.NextDue is not { } next || (_armedFor is { } armed && armed <= next))
        {
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

        _wheel.Advance(Now, _expired);
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

        PersistAsync(Checkpoint(), _ =>
        {
            cycle.Persisted = true;
            SnapshotIfDue();
            MaybeAppend(cycle);
        });
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
            _log.Warning("Timers {0}: reading the events of {1} due timers failed ({2}); retrying", _entityId, cycle.Offsets.Length, Describe(read.Reply));
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
                _log.Error("Timers {0}: the event of timer {1} is no longer stored; dropping it", _entityId, offset);
                cycle.Dropped.Add(offset);
            }
        }

        cycle.BodiesReady = true;
        MaybeAppend(cycle);
    }

    private void MaybeAppend(Cycle cycle)
    {
        if (!cycle.Persisted || !cycle.BodiesReady || cycle.Started || _cycle != cycle)
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
                _log.Warning("Timers {0}: dropping {1} timers: their eventbus {2} no longer exists ({3})", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                foreach (var offset in done.Offsets)
                {
                    Confirm(offset, dropped: true);
                }

                break;
            case TimerAppendKind.Retry:
                _log.Warning("Timers {0}: {1} due timers for {2} were not appended ({3}); trying again shortly", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                Requeue(cycle, done.Offsets, Now + _settings.RetryFailedIo);
                break;
            default:
                _log.Warning("Timers {0}: the append of {1} due timers to {2} may have failed ({3}); looking for them before trying again", _entityId, done.Offsets.Length, done.Target, done.Outcome.Error);
                Check(cycle.Id, done.Target, done.Offsets);
                return;
        }

        cycle.Outstanding--;
        MaybeFinish(cycle);
    }

    /// <summary>Looks for the markers of appends in doubt in their target bus.</summary>
    private void Check(long cycleId, string target, long[] offsets)
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
            _log.Warning("Timers {0}: looking for appended timers in {1} failed ({2}); trying again shortly", _entityId, resolved.Target, resolved.Error);
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
            // Not in the bus: appended again in the next batch (still in doubt until then, so a crash looks again).
            Requeue(cycle, [.. again], null);
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
        if (_phase == Phase.Resolving)
        {
            foreach (var offset in cycle.Again)
            {
                _due.Enqueue(offset);
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

        Expire();
        if (_cycle is null && _confirmed.Count > 0)
        {
            // Nothing more is due: the batch's outcome is recorded now, not with the next batch.
            PersistCheckpoint();
        }

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

        public DateTimeOffset Since { get; } = since;

        public Dictionary<long, Event> Bodies { get; } = [];

        public List<long> Dropped { get; } = [];

        public List<long> Again { get; } = [];

        public bool Persisted { get; set; }

        public bool BodiesReady { get; set; }

        public bool Started { get; set; }

        public int Outstanding { get; set; }

        /// <summary>The batch's timers with a body, grouped by target in batch (due) order.</summary>
        public IEnumerable<(string Target, long[] Offsets)> ByTarget() =>
            Offsets
                .Where(Bodies.ContainsKey)
                .GroupBy(o => Bodies[o].Extensions.TryGet(TimerIds.TargetAttribute, out var t) ? t.AsText ?? "" : "", StringComparer.Ordinal)
                .Select(g => (g.Key, g.ToArray()));
    }

    /// <summary>A read of a batch's bodies failed: it is tried again after a pause.</summary>
    private sealed record RereadBodies(long Cycle, List<long> Offsets) : INoSerializationVerificationNeeded;
}
