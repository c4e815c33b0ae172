using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog : IThreadPoolWorkItem
{
    private const int BatchCapacity = WriteBatch.StandardCapacity;

    // Each pooled batch keeps a 256 KiB buffer: a burst may need many at once, but the log keeps only a few afterwards.
    private const int MaxPooledBatches = 4;

    // An appender writes inline only when the log has been idle this long: a steady stream of appends is better served
    // by the background writer, which then takes everything that queued during its previous write in one call.
    private static readonly long InlineIdleTicks = Stopwatch.Frequency / 10_000;

    private readonly Lock _gate = new();
    private readonly ITimer _syncTimer;
    private readonly CompletionPool _completions = new();
    private readonly Stack<WriteBatch> _batchPool = new();
    private readonly Queue<WriteBatch> _queue = new();
    private readonly Queue<HeldAppend> _held = new();
    private readonly List<WriteBatch> _writing = [];
    private readonly List<WriteBatch> _refused = [];
    private readonly List<ReadOnlyMemory<byte>> _gather = [];

    // Guarded by _gate: where the next record goes.
    private long _nextOffset;
    private Segment _assignSegment = null!;
    private long _assignPosition;
    private long _lastStoreTicks;
    private WriteBatch? _current;
    private long _pendingBytes;
    private bool _writerActive;
    private bool _syncDue;
    private bool _timerArmed;
    private bool _closed;
    private Exception? _fault;
    private long _lastDrainEnd;
    private bool _closedForGood;
    private TaskCompletionSource? _idleWaiter;
    private TaskCompletionSource? _tailWaiter;
    private TaskCompletionSource? _exclusiveGate;
    private StorageFullException? _full;
    private long _fullSince;

    // Owned by whoever holds the writer role.
    private Segment _writeSegment = null!;
    private long _writePosition;
    private long _writtenNext;
    private long _writtenLastTicks;
    private bool _unsynced;
    private long _lastSyncTimestamp;
    private long _checkpointPosition;

    // Owned by the writer during a pass: how many of the batches taken are written, and how many are done (sealed too).
    private int _writtenBatches;
    private int _doneBatches;

    /// <summary>Appends, flushes and seals waiting for room or for an exclusive operation (tests check that backpressure held some).</summary>
    internal int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Idle batches kept for reuse, each with its buffer (tests check the bound).</summary>
    internal int PooledBatches
    {
        get
        {
            lock (_gate)
            {
                return _batchPool.Count;
            }
        }
    }

    /// <summary>Overrides the idle time after which an appender writes inline (tests force one path or the other).</summary>
    internal long InlineIdleThreshold { get; set; } = InlineIdleTicks;

    private void StartWriting(Segment active, long position, long nextOffset, long lastStoreTicks)
    {
        _writeSegment = _assignSegment = active;
        _writePosition = _assignPosition = position;
        _writtenNext = _nextOffset = nextOffset;
        _writtenLastTicks = _lastStoreTicks = lastStoreTicks;
        _lastSyncTimestamp = _time.GetTimestamp();
        _unsynced = false;
        _tail = new Tail(active, nextOffset, position, lastStoreTicks);

        // A replicated log shows nothing until its replica says what is committed; any other shows what it holds.
        var first = _segments[0];
        _visible = _options.Replicated ? new Tail(first, first.BaseOffset, 0, 0) : _tail;
    }

    public ValueTask<long> AppendAsync(Event e, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        var scratch = ScratchWriter.ForThisThread();
        scratch.Reset(0);
        scratch.Frames[0] = Frame(scratch, e, 0, "e");
        return AppendEncoded(scratch, 1);
    }

    public ValueTask<long> AppendBatchAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("a batch holds at least one event", nameof(events));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        // Every event is encoded and checked before any is placed: a batch is placed whole or not at all.
        var scratch = ScratchWriter.ForThisThread();
        scratch.Reset(0);
        var frames = scratch.FramesFor(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            frames[i] = Frame(scratch, events[i] ?? throw new ArgumentException($"event {i} of the batch is null", nameof(events)), i, "events");
        }

        return AppendEncoded(scratch, events.Count);
    }

    public ValueTask<long> AppendFramesAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken = default)
    {
        if (frames.IsEmpty)
        {
            throw new ArgumentException("the frames hold at least one record", nameof(frames));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        // Every frame is checked before any is placed: whole records with their CRCs, consecutive offsets, store times that
        // never go back. Where they go (the log's end) is checked under the lock.
        var scratch = ScratchWriter.ForThisThread();
        scratch.Reset(0);
        var span = frames.Span;
        span.CopyTo(scratch.GetSpan(span.Length));
        scratch.Advance(span.Length);
        var count = 0;
        var at = 0;
        RecordHeader previous = default;
        while (at < span.Length)
        {
            var check = RecordFormat.Check(span[at..], _options.MaxPayload, out var header);
            if (check != RecordCheck.Valid)
            {
                throw new ArgumentException($"frame {count} (byte {at}) is not a whole record with a valid CRC: {check}", nameof(frames));
            }

            if (count > 0 && (header.Offset != previous.Offset + 1 || header.StoreTicks < previous.StoreTicks))
            {
                throw new ArgumentException($"frame {count} (offset {header.Offset}, store time {header.StoreTicks}) does not follow offset {previous.Offset} (store time {previous.StoreTicks})", nameof(frames));
            }

            previous = header;
            at += header.FrameSize;
            count++;
        }

        // The frame table (a second pass over headers already checked): it is sized once, as growing it drops its entries.
        var table = scratch.FramesFor(count);
        at = 0;
        for (var i = 0; i < count; i++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[at..]);
            table[i] = new ScratchWriter.FrameInfo(at, RecordFormat.FrameSize(length), length, 0);
            at += RecordFormat.FrameSize(length);
        }

        return AppendEncoded(scratch, count, verbatim: true);
    }

    /// <summary>Encodes one event as a frame (header space, then payload) at the end of the scratch buffer.</summary>
    private ScratchWriter.FrameInfo Frame(ScratchWriter scratch, Event e, int index, string parameter)
    {
        var start = scratch.Length;
        scratch.GetSpan(RecordFormat.HeaderSize);
        scratch.Advance(RecordFormat.HeaderSize);
        BinaryEventCodec.Encode(e, scratch);
        var payloadLength = scratch.Length - start - RecordFormat.HeaderSize;
        if (payloadLength > _options.MaxPayload)
        {
            var which = parameter == "e" ? "" : $" (index {index} of the batch)";
            throw new ArgumentException($"event '{e.Id}'{which} takes {payloadLength} bytes stored, more than a segment of {_options.SegmentSize} bytes holds", parameter);
        }

        var payloadCrc = RecordFormat.PayloadCrc(scratch.Buffer.AsSpan(start + RecordFormat.HeaderSize, payloadLength));
        return new ScratchWriter.FrameInfo(start, RecordFormat.HeaderSize + payloadLength, payloadLength, payloadCrc);
    }

    /// <summary>Places the encoded frames in order under one lock and returns the first one's offset once the last is written (and synced, per policy).</summary>
    private ValueTask<long> AppendEncoded(ScratchWriter scratch, int count, bool verbatim = false)
    {
        var frames = scratch.Frames;
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            total += frames[i].Length;
        }

        long first = 0;
        AppendCompletion? completion = null;
        var inline = false;
        lock (_gate)
        {
            ThrowIfUnusable();
            if (RefusedForSpace() is { } full)
            {
                return ValueTask.FromException<long>(full);
            }

            if (_exclusiveGate is not null || _held.Count > 0 || (_pendingBytes > 0 && _pendingBytes + total > _options.MaxPendingBytes))
            {
                // Held back (backpressure, or a truncation in progress): queued in order as one entry holding every
                // frame, placed whole once there is room for all of them, so nothing can come between its records.
                var held = _completions.Rent();
                var bytes = ArrayPool<byte>.Shared.Rent(scratch.Length);
                scratch.Buffer.AsSpan(0, scratch.Length).CopyTo(bytes);
                var table = ArrayPool<ScratchWriter.FrameInfo>.Shared.Rent(count);
                frames.AsSpan(0, count).CopyTo(table);
                _held.Enqueue(new HeldAppend(bytes, table, count, total, held) { Verbatim = verbatim });
                return new ValueTask<long>(held, held.Version);
            }

            if (verbatim && NotAtEnd(scratch.Buffer, frames[0]) is { } misplaced)
            {
                return ValueTask.FromException<long>(misplaced);
            }

            first = PlaceAll(scratch.Buffer, frames.AsSpan(0, count), total, verbatim);
            if (!_writerActive)
            {
                _writerActive = true;
                inline = InlineIdleThreshold <= 0 || (_queue.Count == 0 && Stopwatch.GetTimestamp() - _lastDrainEnd >= InlineIdleThreshold);
                if (!inline)
                {
                    ScheduleWriter();
                }
            }

            if (!inline)
            {
                completion = _completions.Rent();
                completion.Offset = first;
                _current!.Waiters.Add(completion);
            }
        }

        if (inline)
        {
            var error = DrainPass(inline: true);

            // A disk that filled behind this append's records refuses only what came after them.
            var written = _writtenNext;
            ReleaseWriterRole();
            if (error is null || (error is StorageFullException && first + count <= written))
            {
                return new ValueTask<long>(first);
            }

            return ValueTask.FromException<long>(error is not StorageFullException full ? AppendFailed(error)
                : first < written ? full.WithStored(first, (int)(written - first)) : full);
        }

        return new ValueTask<long>(completion!, completion!.Version);
    }

    /// <summary>Places held appends, flushes and seals, oldest first, while there is room and no exclusive operation runs. Under _gate.</summary>
    private void PlaceHeld()
    {
        while (_held.Count > 0)
        {
            var next = _held.Peek();
            if (_fault is not null || _closedForGood)
            {
                _held.Dequeue();
                Exception error = _fault is { } fault ? AppendFailed(fault) : new ObjectDisposedException(nameof(SegmentLog), "the log closed before the append could be placed");
                next.Completion?.Fail(error);
                next.Barrier?.TrySetException(error);
                next.Return();
                continue;
            }

            if (_exclusiveGate is not null || (_pendingBytes > 0 && _pendingBytes + next.Length > _options.MaxPendingBytes))
            {
                return;
            }

            // While the disk is full, held appends and seals are refused as new ones are (a flush still syncs).
            if ((next.Barrier is null || next.Seals) && RefusedForSpace() is { } full)
            {
                _held.Dequeue();
                next.Completion?.Fail(full);
                next.Barrier?.TrySetException(full);
                next.Return();
                continue;
            }

            _held.Dequeue();
            if (next.Barrier is { } barrier)
            {
                if (next.Seals && _assignPosition > 0)
                {
                    Roll();
                }

                var flush = _current ??= NewBatch(0);
                flush.ForceSync |= !next.Seals;
                flush.Barriers.Add(barrier);
            }
            else if (next.Verbatim && NotAtEnd(next.Frames!, next.Table![0]) is { } misplaced)
            {
                next.Completion!.Fail(misplaced);
                next.Return();
                continue;
            }
            else
            {
                next.Completion!.Offset = PlaceAll(next.Frames!, next.Table.AsSpan(0, next.Count), next.Length, next.Verbatim);
                _current!.Waiters.Add(next.Completion);
                next.Return();
            }

            if (!_writerActive)
            {
                _writerActive = true;
                ScheduleWriter();
            }
        }
    }

    /// <summary>Places an append's frames in order (they get consecutive offsets) and returns the first one's offset. Under _gate.</summary>
    private long PlaceAll(byte[] buffer, ReadOnlySpan<ScratchWriter.FrameInfo> frames, long total, bool verbatim = false)
    {
        // An append that fits a segment goes into one (a new one when the rest of this is too small), as a Kafka batch
        // does: a seal never falls between its records, so a disk that fills at the seal refuses all of it or none.
        if (frames.Length > 1 && _assignPosition > 0 && _assignPosition + total > _options.SegmentSize && total <= _options.SegmentSize)
        {
            Roll();
        }

        var first = 0L;
        for (var i = 0; i < frames.Length; i++)
        {
            var f = frames[i];
            var offset = Place(buffer.AsSpan(f.Start, f.Length), f.PayloadLength, f.PayloadCrc, verbatim);
            if (i == 0)
            {
                first = offset;
            }
        }

        return first;
    }

    /// <summary>
    /// An append waiting for room or for an exclusive operation (its frames, in one rented buffer, and the frame table),
    /// or (with <c>Barrier</c> set) a flush or seal waiting behind such appends.
    /// </summary>
    private readonly record struct HeldAppend(byte[]? Frames, ScratchWriter.FrameInfo[]? Table, int Count, long Length, AppendCompletion? Completion, TaskCompletionSource? Barrier = null, bool Seals = false)
    {
        /// <summary>Frames written by another replica, kept as they are.</summary>
        public bool Verbatim { get; init; }

        public static HeldAppend Flush(TaskCompletionSource barrier) => new(null, null, 0, 0, null, barrier);

        public static HeldAppend Seal(TaskCompletionSource barrier) => new(null, null, 0, 0, null, barrier, Seals: true);

        public void Return()
        {
            if (Frames is { } frames)
            {
                ArrayPool<byte>.Shared.Return(frames);
            }

            if (Table is { } table)
            {
                ArrayPool<ScratchWriter.FrameInfo>.Shared.Return(table);
            }
        }
    }

    /// <summary>
    /// Assigns the record its offset and store time, seals the header and copies the frame into the current batch; a
    /// verbatim frame keeps the header it has (checked to continue the log). Under _gate.
    /// </summary>
    private long Place(Span<byte> frame, int payloadLength, uint payloadCrc, bool verbatim = false)
    {
        if (_assignPosition > 0 && _assignPosition + frame.Length > _options.SegmentSize)
        {
            Roll();
        }

        var offset = _nextOffset++;
        long ticks;
        if (verbatim)
        {
            ticks = BinaryPrimitives.ReadInt64LittleEndian(frame[16..]);
        }
        else
        {
            ticks = Math.Max(_time.GetUtcNow().UtcTicks, _lastStoreTicks);
            RecordFormat.WriteHeader(frame, payloadLength, payloadCrc, offset, ticks);
        }

        _lastStoreTicks = ticks;
        var batch = _current;
        if (batch is null || batch.Length + frame.Length > batch.Buffer.Length)
        {
            if (batch is not null)
            {
                _queue.Enqueue(batch);
            }

            batch = _current = NewBatch(Math.Max(BatchCapacity, frame.Length));
        }

        frame.CopyTo(batch.Buffer.AsSpan(batch.Length));
        if (batch.Count == 0)
        {
            batch.FirstOffset = offset;
        }

        batch.Length += frame.Length;
        batch.Count++;
        batch.LastStoreTicks = ticks;
        _assignSegment.Index!.Add(offset, _assignPosition, ticks);
        _assignPosition += frame.Length;
        _pendingBytes += frame.Length;
        return offset;
    }

    /// <summary>Why frames written elsewhere cannot go at the log's end now (another offset, or a store time before the last), or null. Under _gate.</summary>
    private ArgumentException? NotAtEnd(byte[] buffer, ScratchWriter.FrameInfo first)
    {
        var offset = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(first.Start + 8));
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(first.Start + 16));
        if (offset != _nextOffset)
        {
            return new ArgumentException($"the frames begin at offset {offset}, but the log '{_directory}' ends before offset {_nextOffset}");
        }

        return ticks < _lastStoreTicks
            ? new ArgumentException($"the frames' first store time {ticks} is before the log's last one, {_lastStoreTicks}")
            : null;
    }

    /// <summary>Ends the active segment at the current position: the batch in hand seals it, and the next record starts a successor. Under _gate.</summary>
    private void Roll()
    {
        var successor = new Segment(_nextOffset) { Tier = SegmentTier.Hot, Index = new SparseIndex(_options.IndexIntervalBytes) };
        var batch = _current ?? NewBatch(0);
        batch.SealSuccessor = successor;
        _queue.Enqueue(batch);
        _current = null;
        _assignSegment = successor;
        _assignPosition = 0;
    }

    private WriteBatch NewBatch(int capacity)
    {
        var batch = _batchPool.Count > 0 ? _batchPool.Pop() : new WriteBatch();
        batch.Start(_assignSegment, _assignPosition, capacity);
        return batch;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_fault is { } fault)
        {
            throw AppendFailed(fault);
        }
    }

    private IOException AppendFailed(Exception error) =>
        error is IOException io && io.Message.StartsWith("the log '", StringComparison.Ordinal)
            ? io
            : new IOException($"the log '{_directory}' failed to write and accepts no more appends until it is reopened: {error.Message}", error);
}
