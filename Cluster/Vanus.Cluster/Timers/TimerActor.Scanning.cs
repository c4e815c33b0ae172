using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Timers;

internal sealed partial class TimerActor
{
    private readonly TimingWheel<long> _wheel;

    // Loaded, unfired timers per bitmap chunk: the lowest non-empty chunk is where a restart starts reading.
    private readonly SortedDictionary<long, int> _loadedChunks = [];
    private long _loaded;
    private long _farCount = -1;

    // Events of timers due soon, kept from the read so firing them needs no read.
    private readonly Dictionary<long, Event> _hot = [];

    // Bodies of the batch in doubt, kept by the recovery read for the marker search.
    private readonly Dictionary<long, Event> _doubtBodies = [];

    private Scan? _scan;
    private bool _tailing;
    private TimerRead? _bufferedTail;
    private long _persistedFrontier;

    private enum ScanMode
    {
        /// <summary>After a start: every timer from the lowest unfired one on.</summary>
        Recovery,

        /// <summary>Far windows coming within the horizon: their timers from the lowest offset any of them has.</summary>
        Rescan,
    }

    private long FarCount
    {
        get
        {
            if (_farCount < 0)
            {
                _farCount = _far.Values.Sum(b => b.Count);
            }

            return _farCount;
        }
    }

    private void StartScan(ScanMode mode, long from, long end, long newBound = 0, IReadOnlyList<FarBucket>? removed = null)
    {
        _persistedFrontier = _frontier;
        _scan = new Scan(mode, from, end, newBound, removed ?? []);
        ContinueScan();
    }

    private void ContinueScan()
    {
        if (_scan is not { Reading: false } scan)
        {
            return;
        }

        scan.Reading = true;
        var offset = scan.Position;
        _settings.Eventlogs.Ask<object>(new ReadEvents(LogEntity, offset, _settings.ReadBatch), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new TimerRead(0, offset, reply),
            failure: ex => new TimerRead(0, offset, ex));
    }

    /// <summary>Reads new timers as they are stored: a caught-up read waits at the eventlog, so an idle service does not poll.</summary>
    private void MaybeTail()
    {
        if (_phase != Phase.Running || _tailing || _stopRequested)
        {
            return;
        }

        _tailing = true;
        var offset = _frontier;
        _settings.Eventlogs.Ask<object>(new ReadEvents(LogEntity, offset, _settings.ReadBatch, _settings.TailWait.Ticks), _settings.TailWait + _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new TimerRead(1, offset, reply),
            failure: ex => new TimerRead(1, offset, ex));
    }

    private void ReadDone(TimerRead read)
    {
        if (read.Generation == 1)
        {
            TailDone(read);
            return;
        }

        if (_scan is not { } scan || read.Offset != scan.Position)
        {
            return;
        }

        scan.Reading = false;
        var before = scan.Position;
        if (read.Reply is not ReadReply reply)
        {
            Log.Warning("Timers {0}: reading offset {1} failed ({2}); retrying", _entityId, read.Offset, Asks.Describe(read.Reply));
            Timers.StartSingleTimer(RetryTimer, TimerRetry.Instance, _settings.RetryFailedIo);
            return;
        }

        foreach (var record in reply.Records)
        {
            if (record.Offset >= scan.End)
            {
                break;
            }

            scan.Position = record.Offset + 1;
            if (scan.Mode == ScanMode.Recovery)
            {
                IndexRecovered(record);
            }
            else
            {
                IndexRescanned(record, scan);
            }
        }

        if (scan.Position > before && scan.Position < scan.End)
        {
            ContinueScan();
            return;
        }

        _scan = null;
        if (scan.Mode == ScanMode.Recovery)
        {
            _frontier = Math.Max(_frontier, scan.Position);
            Loaded();
            return;
        }

        _loadedUpTo = scan.NewBound;
        _dirty = true;
        if (_bufferedTail is { } buffered)
        {
            _bufferedTail = null;
            TailDone(buffered);
        }

        Arm();
    }

    private void TailDone(TimerRead read)
    {
        if (_scan is not null)
        {
            // Far windows are being read back: new timers are placed against the horizon that read ends with.
            _bufferedTail = read;
            return;
        }

        _tailing = false;
        if (read.Offset != _frontier || _stopRequested)
        {
            MaybeTail();
            return;
        }

        if (read.Reply is not ReadReply reply)
        {
            Log.Warning("Timers {0}: reading new timers at offset {1} failed ({2}); retrying", _entityId, read.Offset, Asks.Describe(read.Reply));
            _tailing = true;
            Timers.StartSingleTimer("tail", new TimerRead(1, read.Offset, new ReadReply([])), _settings.RetryFailedIo);
            return;
        }

        foreach (var record in reply.Records)
        {
            if (record.Offset != _frontier)
            {
                break;
            }

            _frontier = record.Offset + 1;
            _dirty = true;
            if (Parse(record) is { } due)
            {
                Place(record, due);
            }
        }

        Arm();
        MaybeTail();
    }

    /// <summary>Recovery: fired timers are skipped, those within the horizon go back into the wheel, later ones read since the last record are counted.</summary>
    private void IndexRecovered(StoredRecord record)
    {
        if (_fired.Contains(record.Offset) || Parse(record) is not { } due)
        {
            return;
        }

        if (due < _loadedUpTo)
        {
            if (due <= _lease)
            {
                // Not into the wheel: the marker search decides whether it is appended again.
                _doubtBodies[record.Offset] = record.Event;
                Count(record.Offset, +1);
                return;
            }

            Load(record, due);
        }
        else if (record.Offset >= _persistedFrontier)
        {
            AddFar(record.Offset, due);
        }
    }

    /// <summary>A far read: timers of the windows read back that now fall within the horizon are loaded; the rest of those windows are counted again.</summary>
    private void IndexRescanned(StoredRecord record, Scan scan)
    {
        if (_fired.Contains(record.Offset) || Parse(record) is not { } due || due < _loadedUpTo)
        {
            return;
        }

        if (due < scan.NewBound)
        {
            Load(record, due);
        }
        else if (scan.Buckets.Contains(BucketOf(due)))
        {
            AddFar(record.Offset, due);
        }
    }

    private void Place(StoredRecord record, long due)
    {
        if (due < _loadedUpTo)
        {
            Load(record, due);
        }
        else
        {
            AddFar(record.Offset, due);
        }
    }

    private void Load(StoredRecord record, long due)
    {
        _wheel.Schedule(new DateTimeOffset(due, TimeSpan.Zero), record.Offset);
        Count(record.Offset, +1);
        var ahead = due - Now.UtcTicks;
        if (ahead <= _settings.HotWindow.Ticks && _hot.Count < _settings.MaxHot)
        {
            _hot[record.Offset] = record.Event;
        }

        if (due > _lease && ahead <= _settings.LeaseAhead.Ticks && _phase == Phase.Running)
        {
            // Due sooner than the next lease tick might extend the lease: extended now.
            ExtendLease();
        }
    }

    private void Count(long offset, int delta)
    {
        var chunk = OffsetBitmap.ChunkOf(offset);
        _loadedChunks.TryGetValue(chunk, out var count);
        count += delta;
        if (count == 0)
        {
            _loadedChunks.Remove(chunk);
        }
        else
        {
            _loadedChunks[chunk] = count;
        }

        _loaded += delta;
    }

    private void AddFar(long offset, long due)
    {
        var start = BucketOf(due);
        _far[start] = _far.TryGetValue(start, out var bucket)
            ? bucket with { MinOffset = Math.Min(bucket.MinOffset, offset), Count = bucket.Count + 1 }
            : new FarBucket(start, offset, 1);
        _farCount = FarCount + 1;
        _dirty = true;
    }

    private long BucketOf(long due) => due - (due % _settings.FarWindow.Ticks);

    /// <summary>
    /// Moves the horizon to now + <see cref="TimerSettings.Horizon"/>. Far windows it reaches are read back whole (from the
    /// lowest offset any of them has), so the horizon then stands at the end of the last window read.
    /// </summary>
    private void SlideHorizon()
    {
        var bound = (Now + _settings.Horizon).UtcTicks;
        if (bound <= _loadedUpTo || _scan is not null)
        {
            return;
        }

        var reached = _far.Values.TakeWhile(b => b.StartTicks < bound).ToList();
        if (reached.Count == 0)
        {
            _loadedUpTo = bound;
            _dirty = true;
            return;
        }

        var newBound = Math.Max(bound, reached[^1].StartTicks + _settings.FarWindow.Ticks);
        var from = reached.Min(b => b.MinOffset);
        foreach (var bucket in reached)
        {
            _far.Remove(bucket.StartTicks);
        }

        _farCount = -1;
        Log.Info("Timers {0}: reading {1} timers of {2} far window(s) back from offset {3}", _entityId, reached.Sum(b => b.Count), reached.Count, from);
        StartScan(ScanMode.Rescan, from, _frontier, newBound, reached);
    }

    /// <summary>The due time of a timer as stored (UTC ticks), or null for an entry that is not a timer (logged, and skipped for good).</summary>
    private long? Parse(StoredRecord record)
    {
        if (record.Event.Extensions.TryGet(DeliveryTimes.Attribute, out var value) && value.Kind == AttributeKind.Timestamp
            && record.Event.Extensions.TryGet(TimerIds.TargetAttribute, out var target) && target.AsText is not null)
        {
            return value.AsTimestamp.UtcTicks;
        }

        Log.Error("Timers {0}: offset {1} is not a timer (no timestamp '{2}' or no '{3}'); skipped", _entityId, record.Offset, DeliveryTimes.Attribute, TimerIds.TargetAttribute);
        _fired.Add(record.Offset);
        _confirmed.Add(record.Offset);
        return null;
    }

    /// <summary>A read of part of the log: where it stands, where it ends, and for a far read the horizon it moves to and the windows it reads back.</summary>
    private sealed class Scan(ScanMode mode, long position, long end, long newBound, IReadOnlyList<FarBucket> removed)
    {
        /// <summary>The far windows being read back, as they were: a record written before the read ends still lists them.</summary>
        public IReadOnlyList<FarBucket> Removed { get; } = removed;

        public ScanMode Mode { get; } = mode;

        public long Position { get; set; } = position;

        public long End { get; } = end;

        public long NewBound { get; } = newBound;

        public HashSet<long> Buckets { get; } = [.. removed.Select(b => b.StartTicks)];

        public bool Reading { get; set; }
    }
}
