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

    /// <summary>One pass of the writer: takes every queued batch, writes, syncs per policy, publishes and completes. Returns the write error, if any.</summary>
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
        if (error is null)
        {
            try
            {
                forceSync = WriteAll();
            }
#pragma warning disable CA1031 // every write failure faults the log and fails the appends waiting on it
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
            CompleteWaiters(null);
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
            CompleteWaiters(failure);
        }

        long written = 0;
        foreach (var batch in _writing)
        {
            written += batch.Length;
            foreach (var barrier in batch.Barriers)
            {
                if (failure is null)
                {
                    barrier.TrySetResult();
                }
                else
                {
                    barrier.TrySetException(failure);
                }
            }
        }

        lock (_gate)
        {
            foreach (var batch in _writing)
            {
                batch.Reset();
                if (_batchPool.Count < MaxPooledBatches)
                {
                    _batchPool.Push(batch);
                }
            }

            _pendingBytes -= written;
            if (error is not null)
            {
                _fault ??= error;
                ReleaseTailWaiters();
            }

            PlaceHeld();
        }

        _writing.Clear();
        return error;
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
            WriteBatch last;
            do
            {
                last = _writing[i++];
                if (last.Length > 0)
                {
                    _gather.Add(last.Buffer.AsMemory(0, last.Length));
                    bytes += last.Length;
                    _writtenNext = last.FirstOffset + last.Count;
                    _writtenLastTicks = last.LastStoreTicks;
                }

                forceSync |= last.ForceSync;
            }
            while (last.SealSuccessor is null && i < _writing.Count && _writing[i].Segment == segment);

            var file = segment.WriteFile!;
            if (_gather.Count == 1)
            {
                file.Write(_writePosition, _gather[0].Span);
            }
            else if (_gather.Count > 1)
            {
                file.Write(_writePosition, _gather);
            }

            _writePosition += bytes;
            _unsynced |= bytes > 0;
            if (last.SealSuccessor is { } successor)
            {
                Seal(successor);
            }
        }

        return forceSync;
    }

    private void CompleteWaiters(IOException? failure)
    {
        foreach (var batch in _writing)
        {
            foreach (var waiter in batch.Waiters)
            {
                if (failure is null)
                {
                    waiter.Complete();
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

    private void PublishTail(Tail tail)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _tail = tail;
            waiter = _tailWaiter;
            _tailWaiter = null;
        }

        waiter?.TrySetResult();
    }
}
