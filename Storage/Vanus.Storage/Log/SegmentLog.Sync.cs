using Vanus.Runtime.Broker;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    /// <summary>
    /// Syncs when the policy says so. An appender writing inline under <c>interval</c> never syncs itself: the timer's
    /// writer does, so that appender is not held up by a sync its append does not wait for.
    /// </summary>
    private void SyncIfDue(bool syncDue, bool forceSync, bool inline)
    {
        if (!_unsynced)
        {
            return;
        }

        if (_options.Sync == SyncPolicy.Always || forceSync
            || (_options.Sync == SyncPolicy.Interval && !inline && (syncDue || _time.GetElapsedTime(_lastSyncTimestamp) >= _options.SyncInterval)))
        {
            SyncActive();
        }
        else if (_options.Sync == SyncPolicy.Interval)
        {
            ArmSyncTimer();
        }
    }

    private void SyncActive()
    {
        _writeSegment.WriteFile!.Sync();
        _unsynced = false;
        _lastSyncTimestamp = _time.GetTimestamp();
        if (_writePosition - _checkpointPosition >= _options.CheckpointIntervalBytes)
        {
            WriteCheckpoint(_writeSegment.BaseOffset, _writePosition, _writtenNext, clean: false);
        }
        else
        {
            // Every sync moves the checkpoint (written, not synced: one small write): what it vouches for is durable, so
            // damage before it after a crash is corruption of acknowledged records, never a torn tail to cut.
            WriteCheckpoint(_writeSegment.BaseOffset, _writePosition, _writtenNext, clean: false, sync: false);
        }
    }

    /// <summary>
    /// Seals the segment being written: sync, create the successor's file, index file, cut the allocated tail, then start
    /// the successor. The files are made before anything changes: when the disk cannot hold them this segment stays the
    /// active one, exactly as it was (its records synced), and the seal is tried again once space returns.
    /// </summary>
    private void Seal(Segment successor)
    {
        var segment = _writeSegment;
        var file = segment.WriteFile!;
        file.Sync();
        _unsynced = false;
        _lastSyncTimestamp = _time.GetTimestamp();

        var path = PathOf(successor.FileName);
        _fs.Delete(path);
        var next = _fs.Open(path, create: true);
        var index = segment.Index!;
        var summary = new SegmentSummary(segment.BaseOffset, _writtenNext, _writePosition, index.Count > 0 ? index[0].StoreTicks : 0, _writtenLastTicks, index.ToArray());
        try
        {
            // Its directory sync also makes the successor's entry durable.
            WriteIndexFile(_directory, summary);
        }
        catch (StorageFullException)
        {
            next.Dispose();
            _fs.Delete(path);
            _fs.SyncDirectory(_directory);
            throw;
        }

        file.SetLength(_writePosition);
        file.Sync();
        segment.ApplySummary(summary, _options.IndexIntervalBytes);
        segment.StoredBytes = _writePosition;

        successor.WriteFile = next;
        successor.Source = new LocalSegmentSource(next, null);
        AddToCatalog(successor);
        _writeSegment = successor;
        _writePosition = 0;
        WriteCheckpoint(successor.BaseOffset, 0, successor.BaseOffset, clean: false);
        PublishTail(new Tail(successor, _writtenNext, 0, _writtenLastTicks));
    }

    private void ArmSyncTimer()
    {
        lock (_gate)
        {
            if (_timerArmed || _closed)
            {
                return;
            }

            _timerArmed = true;
        }

        var due = _options.SyncInterval - _time.GetElapsedTime(_lastSyncTimestamp);
        _syncTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void OnSyncTimer()
    {
        lock (_gate)
        {
            _timerArmed = false;
            if (_closed)
            {
                return;
            }

            _syncDue = true;
            if (!_writerActive)
            {
                _writerActive = true;
                ScheduleWriter();
            }
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
        }

        return FlushCoreAsync(behindHeld: true, cancellationToken);
    }

    /// <summary>Queues a barrier that forces a sync and completes once everything before it is durable.</summary>
    private async ValueTask FlushCoreAsync(bool behindHeld, CancellationToken cancellationToken)
    {
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_fault is { } fault)
            {
                throw AppendFailed(fault);
            }

            // Behind a truncation too: a batch made now would be placed where the log ended before it.
            if (behindHeld && (_held.Count > 0 || _exclusiveGate is not null))
            {
                _held.Enqueue(HeldAppend.Flush(barrier));
            }
            else
            {
                var batch = _current ??= NewBatch(0);
                batch.ForceSync = true;
                batch.Barriers.Add(barrier);
                if (!_writerActive)
                {
                    _writerActive = true;
                    ScheduleWriter();
                }
            }
        }

        await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SealAsync(CancellationToken cancellationToken = default)
    {
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfUnusable();
            if (RefusedForSpace() is { } full)
            {
                throw full;
            }

            if (_held.Count > 0 || _exclusiveGate is not null)
            {
                // In turn after the appends made before it, and never in the middle of a truncation.
                _held.Enqueue(HeldAppend.Seal(barrier));
            }
            else
            {
                if (_assignPosition > 0)
                {
                    Roll();
                }

                var batch = _current ??= NewBatch(0);
                batch.Barriers.Add(barrier);
                if (!_writerActive)
                {
                    _writerActive = true;
                    ScheduleWriter();
                }
            }
        }

        await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when no writer is running and nothing is queued (tests use it to reach a quiet moment).</summary>
    internal async Task WhenIdleAsync()
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (!_writerActive && !HasPendingWork())
                {
                    return;
                }

                _idleWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _idleWaiter.Task;
            }

            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> holding the writer role with appends held back: everything appended before is
    /// written first, appends made meanwhile wait and then go on after it.
    /// </summary>
    private async ValueTask RunExclusiveAsync(Func<ValueTask> operation, CancellationToken cancellationToken)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfUnusable();
            _exclusiveGate = gate;
        }

        try
        {
            await FlushCoreAsync(behindHeld: false, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                Task wait;
                lock (_gate)
                {
                    if (!_writerActive)
                    {
                        _writerActive = true;
                        break;
                    }

                    _idleWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _idleWaiter.Task;
                }

                await wait.ConfigureAwait(false);
            }

            try
            {
                await operation().ConfigureAwait(false);
            }
            finally
            {
                ReleaseWriterRole();
            }
        }
        finally
        {
            lock (_gate)
            {
                _exclusiveGate = null;
                PlaceHeld();
            }

            gate.TrySetResult();
        }
    }
}
