using System.Diagnostics;
using Vanus.Runtime.Broker;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    private void ScheduleWriter() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            DrainPass();
            lock (_gate)
            {
                if (!HasPendingWork())
                {
                    GoIdle();
                    return;
                }
            }
        }
    }

    private void ReleaseWriterRole()
    {
        lock (_gate)
        {
            if (HasPendingWork())
            {
                ScheduleWriter();
            }
            else
            {
                GoIdle();
            }
        }
    }

    private bool HasPendingWork() => _queue.Count > 0 || _current is { HasWork: true } || _syncDue;

    private void GoIdle()
    {
        _writerActive = false;
        _lastDrainEnd = Stopwatch.GetTimestamp();
        if (_idleWaiter is { } waiter)
        {
            _idleWaiter = null;
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// One pass of the writer: takes every queued batch, writes, syncs per policy, publishes and completes. Returns the
    /// write error, if any: a <see cref="StorageFullException"/> when the disk filled part-way (the batches before it are
    /// stored and completed as such, the rest are refused and the log goes on), any other error faults the log.
    /// </summary>
    private Exception? DrainPass(bool inline = false)
    {
        bool syncDue;
        Exception? error;
        lock (_gate)
        {
            if (_current is { HasWork: true } current)
            {
                _queue.Enqueue(current);
                _current = null;
            }

            while (_queue.TryDequeue(out var batch))
            {
                _writing.Add(batch);
            }

            syncDue = _syncDue;
            _syncDue = false;
            error = _fault;
        }

        var forceSync = false;
        StorageFullException? full = null;
        _writtenBatches = _doneBatches = 0;
        if (error is null)
        {
            try
            {
                forceSync = WriteAll();
            }
            catch (StorageFullException ex)
            {
                // What was written before the disk filled is synced now: a flush among it must find it durable.
                full = ex;
                forceSync = true;

                // Known before any append hears of it: one that comes after its refusal is refused too, for the interval.
                lock (_gate)
                {
                    _full = ex;
                    _fullSince = _time.GetTimestamp();
                }
            }
#pragma warning disable CA1031 // every other write failure faults the log and fails the appends waiting on it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }
        }

        // Under interval and none an append completes once written: its completion does not wait for the sync.
        var early = error is null && _options.Sync != SyncPolicy.Always;
        if (early)
        {
            PublishTail(new Tail(_writeSegment, _writtenNext, _writePosition, _writtenLastTicks));
            CompleteWaiters(0, _writtenBatches, null);
        }

        if (error is null)
        {
            try
            {
                SyncIfDue(syncDue, forceSync, inline);
            }
#pragma warning disable CA1031 // a sync failure faults the log like a write failure
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }
        }

        if (error is null && !early)
        {
            PublishTail(new Tail(_writeSegment, _writtenNext, _writePosition, _writtenLastTicks));
        }

        var failure = error is null ? null : AppendFailed(error);
        if (!early || failure is not null)
        {
            CompleteWaiters(0, _writtenBatches, failure);
        }

        CompleteWaiters(_writtenBatches, _writing.Count, failure ?? full);

        long written = 0;
        for (var b = 0; b < _writing.Count; b++)
        {
            var batch = _writing[b];
            written += batch.Length;
            // A flush among the written batches holds (they were synced); a seal that did not happen fails.
            Exception? barrierError = failure ?? (b < _doneBatches || (b < _writtenBatches && batch.SealSuccessor is null) ? null : full);
            foreach (var barrier in batch.Barriers)
            {
                if (barrierError is null)
                {
                    barrier.TrySetResult();
                }
                else
                {
                    barrier.TrySetException(barrierError);
                }
            }
        }

        lock (_gate)
        {
            Recycle(_writing);
            _pendingBytes -= written;
            if (error is not null)
            {
                _fault ??= error;
                ReleaseTailWaiters();
            }
            else if (full is not null)
            {
                RefuseUnwritten(full);
            }

            PlaceHeld();
        }

        _writing.Clear();
        return error ?? full;
    }

    /// <summary>Returns finished batches to the pool. Under _gate.</summary>
    private void Recycle(List<WriteBatch> batches)
    {
        foreach (var batch in batches)
        {
            batch.Reset();
            if (_batchPool.Count < MaxPooledBatches)
            {
                _batchPool.Push(batch);
            }
        }
    }

    /// <summary>
    /// After the disk filled: refuses what was placed but not written (queued since the pass began) and moves the place
    /// where the next record goes back to where the writer stopped, so nothing placed after a refused record can be
    /// stored behind a gap. (Appends are refused at once for <see cref="EventLogOptions.FullRetryInterval"/> from the
    /// failed write on; the first one after it tries the disk again.) Under _gate, holding the writer role.
    /// </summary>
    private void RefuseUnwritten(StorageFullException full)
    {
        if (_current is { } current)
        {
            _queue.Enqueue(current);
            _current = null;
        }

        while (_queue.TryDequeue(out var batch))
        {
            foreach (var waiter in batch.Waiters)
            {
                waiter.Fail(full.Again());
            }

            foreach (var barrier in batch.Barriers)
            {
                // A flush holds: everything stored was synced in this pass. A seal did not happen.
                if (batch.SealSuccessor is null)
                {
                    barrier.TrySetResult();
                }
                else
                {
                    barrier.TrySetException(full.Again());
                }
            }

            _pendingBytes -= batch.Length;
            _refused.Add(batch);
        }

        Recycle(_refused);
        _refused.Clear();

        // A successor made by a roll since then is dropped with its batches: nothing was written to it.
        _writeSegment.Index!.TruncateAt(_writePosition);
        _assignSegment = _writeSegment;
        _assignPosition = _writePosition;
        _nextOffset = _writtenNext;
        _lastStoreTicks = _writtenLastTicks;
    }

    /// <summary>
    /// While the disk is full and the retry interval has not passed since the last failed write, the error to refuse an
    /// append, seal or held append with; once it has passed, null (and the next write tries the disk again). Under _gate.
    /// </summary>
    private StorageFullException? RefusedForSpace()
    {
        if (_full is not { } full)
        {
            return null;
        }

        if (_time.GetElapsedTime(_fullSince) < _options.FullRetryInterval)
        {
            // A fresh exception for each refusal: rethrown from many completions, one would collect their stack traces.
            return full.Again();
        }

        _full = null;
        return null;
    }

    /// <summary>Writes every taken batch (sealing segments on the way); returns whether a batch asked for a sync.</summary>
    private bool WriteAll()
    {
        var forceSync = false;
        var i = 0;
        while (i < _writing.Count)
        {
            var segment = _writing[i].Segment;
            if (segment != _writeSegment || _writing[i].Position != _writePosition)
            {
                throw new InvalidOperationException($"writer out of step: batch for segment {segment.BaseOffset} at byte {_writing[i].Position}, writing segment {_writeSegment.BaseOffset} at byte {_writePosition}");
            }

            _gather.Clear();
            long bytes = 0;
            var next = _writtenNext;
            var lastTicks = _writtenLastTicks;
            WriteBatch last;
            do
            {
                last = _writing[i++];
                if (last.Length > 0)
                {
                    _gather.Add(last.Buffer.AsMemory(0, last.Length));
                    bytes += last.Length;
                    next = last.FirstOffset + last.Count;
                    lastTicks = last.LastStoreTicks;
                }

                forceSync |= last.ForceSync;
            }
            while (last.SealSuccessor is null && i < _writing.Count && _writing[i].Segment == segment);

            var file = segment.WriteFile!;
            if (bytes > 0 && !segment.Allocated)
            {
                // Lazily, at the segment's first write: a log takes no space before it is used, and once allocated no
                // write into the segment can meet a full disk.
                file.Allocate(_options.SegmentSize);
                segment.Allocated = true;
            }

            try
            {
                if (_gather.Count == 1)
                {
                    file.Write(_writePosition, _gather[0].Span);
                }
                else if (_gather.Count > 1)
                {
                    file.Write(_writePosition, _gather);
                }
            }
            catch (StorageFullException)
            {
                // A write the disk stopped part-way may have left whole records past the written end, which a reopen would
                // take for stored ones: the file is cut there (cutting needs no space) and allocated again before the next write.
                file.SetLength(_writePosition);
                segment.Allocated = false;
                throw;
            }

            // Only now: a write the disk refused leaves the written end where it was.
            _writePosition += bytes;
            _writtenNext = next;
            _writtenLastTicks = lastTicks;
            _unsynced |= bytes > 0;
            _writtenBatches = i;
            if (last.SealSuccessor is { } successor)
            {
                Seal(successor);
            }

            _doneBatches = i;
        }

        return forceSync;
    }

    /// <summary>Completes the appends of batches <paramref name="from"/> to <paramref name="to"/> (exclusive) of this pass, or fails them with <paramref name="failure"/>.</summary>
    private void CompleteWaiters(int from, int to, IOException? failure)
    {
        for (var b = from; b < to; b++)
        {
            var batch = _writing[b];
            foreach (var waiter in batch.Waiters)
            {
                if (failure is null)
                {
                    waiter.Complete();
                }
                else if (failure is StorageFullException full)
                {
                    // An append larger than a segment, cut by the full disk after its first records, says which are stored.
                    waiter.Fail(waiter.Offset < _writtenNext ? full.WithStored(waiter.Offset, (int)(_writtenNext - waiter.Offset)) : full.Again());
                }
                else
                {
                    waiter.Fail(failure);
                }
            }

            batch.Waiters.Clear();
        }
    }

    /// <summary>Wakes every tail waiter so that it sees the log closed or faulted and throws. Under _gate.</summary>
    private void ReleaseTailWaiters()
    {
        _tailWaiter?.TrySetResult();
        _tailWaiter = null;
    }

    /// <summary>Publishes the written end; readers see it at once unless the log is replicated (they see commits then).</summary>
    private void PublishTail(Tail tail)
    {
        TaskCompletionSource? waiter = null;
        lock (_gate)
        {
            _tail = tail;
            if (!_options.Replicated)
            {
                _visible = tail;
                waiter = _tailWaiter;
                _tailWaiter = null;
            }
        }

        waiter?.TrySetResult();
    }

    /// <summary>Shows readers a replicated log up to a committed point.</summary>
    private void PublishVisible(Tail tail)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _visible = tail;
            waiter = _tailWaiter;
            _tailWaiter = null;
        }

        waiter?.TrySetResult();
    }
}
