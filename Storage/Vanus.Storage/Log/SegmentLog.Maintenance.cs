namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    public async ValueTask<MaintenanceReport> MaintainAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
        }

        // Dispose cancels a running maintenance and waits for it: nothing may upload or delete once the files are closed
        // and the directory lock is released.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            await _maintenance.WaitAsync(stop.Token).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                var (warm, cold) = await MoveTiersAsync(stop.Token).ConfigureAwait(false);
                var deleted = await ApplyRetentionAsync(stop.Token).ConfigureAwait(false);
                return new MaintenanceReport(warm, cold, deleted);
            }
            finally
            {
                _maintenance.Release();
            }
        }
        catch (OperationCanceledException ex) when (_closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException($"the log '{_directory}' was closed during its maintenance, which stopped part-way (every step is crash-safe, so nothing is lost)", ex);
        }
    }

    /// <summary>Deletes the oldest sealed segments, whole and from whichever tier holds them, while they are too old or the log too large.</summary>
    private async ValueTask<List<long>> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var deleted = new List<long>();
        var retention = _options.Retention;
        if (retention.MaxAge is null && retention.MaxBytes is null)
        {
            return deleted;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var tail = _visible;
        var segments = _segments;
        var total = segments.Sum(s => s.Sealed ? s.StoredBytes : _tail.DataLength);
        foreach (var segment in segments)
        {
            if (!segment.Sealed || segment == tail.Segment)
            {
                break;
            }

            var tooLarge = retention.MaxBytes is { } max && total > max;
            var tooOld = false;
            if (!tooLarge && retention.MaxAge is { } age)
            {
                await LoadSummaryAsync(segment, cancellationToken).ConfigureAwait(false);
                tooOld = segment.LastStoreTicks < now - age.Ticks;
            }

            if (!tooLarge && !tooOld)
            {
                break;
            }

            await DeleteSegmentAsync(segment, cancellationToken).ConfigureAwait(false);
            total -= segment.StoredBytes;
            deleted.Add(segment.BaseOffset);
        }

        return deleted;
    }

    /// <summary>Drops a segment from the catalog (readers stop finding it), then deletes its bytes from its tier.</summary>
    private async ValueTask DeleteSegmentAsync(Segment segment, CancellationToken cancellationToken)
    {
        RemoveFromCatalog(segment);
        segment.SourceOrNull?.Retire();
        switch (segment.Tier)
        {
            case SegmentTier.Cold:
                await DeleteColdAsync(segment.BaseOffset, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // Synced one segment at a time: a power loss then leaves a contiguous run of segments, never a gap.
                var directory = DirectoryOf(segment.Tier);
                _fs.Delete(Path.Combine(directory, segment.FileName));
                _fs.Delete(Path.Combine(directory, Segment.IndexNameOf(segment.BaseOffset)));
                _fs.SyncDirectory(directory);
                break;
        }
    }

    public async ValueTask CommitAsync(long offset, CancellationToken cancellationToken = default)
    {
        if (!_options.Replicated)
        {
            throw new InvalidOperationException($"the log '{_directory}' is not replicated: its records are visible once written, and it takes no commits");
        }

        await _commits.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                ObjectDisposedException.ThrowIf(_filesClosed, this);
                var view = WrittenView;
                var written = view.Tail;
                if (offset <= _visible.NextOffset)
                {
                    return;
                }

                if (offset > written.NextOffset)
                {
                    throw new ArgumentOutOfRangeException(nameof(offset), offset, $"only written records can be committed, and the log holds offsets below {written.NextOffset}");
                }

                if (offset == written.NextOffset)
                {
                    PublishVisible(written);
                    return;
                }

                // Where the last committed record ends: found from the sparse index, as a truncation finds its cut.
                var segment = FindSegment(view.Segments, offset - 1) ?? throw new OffsetOutOfRangeException(offset - 1, EarliestOffset, written.NextOffset);
                var finder = new PositionFinder(offset - 1);
                if (await ScanAsync(segment, written, offset - 1, view.Truncations, finder, cancellationToken).ConfigureAwait(false) == Stale)
                {
                    continue;
                }

                PublishVisible(new Tail(segment, offset, finder.End, finder.StoreTicks));
                return;
            }
        }
        finally
        {
            _commits.Release();
        }
    }

    public async ValueTask TruncateAsync(long nextOffset, CancellationToken cancellationToken = default)
    {
        if (_options.Replicated && nextOffset < _visible.NextOffset)
        {
            throw new InvalidOperationException($"offsets below {_visible.NextOffset} are committed and never cut, so the log cannot end before offset {nextOffset}");
        }

        var tail = _tail;
        if (nextOffset < EarliestOffset || nextOffset > tail.NextOffset)
        {
            throw new OffsetOutOfRangeException(nextOffset, EarliestOffset, tail.NextOffset);
        }

        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunExclusiveAsync(() => TruncateCoreAsync(nextOffset, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _maintenance.Release();
        }
    }

    /// <summary>
    /// Cuts the log at <paramref name="nextOffset"/>, holding the writer role. A redo checkpoint moves first (it names the
    /// target, so a checkpoint never names a deleted segment), then later segments go newest first, each unlink synced,
    /// then the target is cut. A crash before the redo checkpoint is durable leaves the log whole; after it, the next open
    /// finishes the cut (a replica must never get back records it cut). Every unlink is durable before the file is cut
    /// and appends resume: a lost unlink would bring back a segment or index that contradicts them.
    /// </summary>
    private async ValueTask TruncateCoreAsync(long nextOffset, CancellationToken cancellationToken)
    {
        var tail = _tail;
        if (nextOffset == tail.NextOffset)
        {
            return;
        }

        var segments = _segments;
        var target = FindSegment(segments, nextOffset)!;
        if (target.Tier != SegmentTier.Hot || target.WriteFile is null)
        {
            throw new InvalidOperationException($"cannot truncate to offset {nextOffset}: segment {target.BaseOffset} is in the {target.Tier} tier, and only hot segments can be cut");
        }

        long position = 0;

        // The store time new records must not go below is the last kept record's: the cut ones were never committed, and
        // a leader's frames that replace them may well be older.
        var index = Array.IndexOf(segments, target);
        var lastTicks = index > 0 ? segments[index - 1].LastStoreTicks : 0;
        if (nextOffset > target.BaseOffset)
        {
            var finder = new PositionFinder(nextOffset - 1);
            await ScanAsync(target, tail, nextOffset - 1, Interlocked.Read(ref _truncations), finder, cancellationToken).ConfigureAwait(false);
            position = finder.End;
            lastTicks = finder.StoreTicks;
        }

        // Counted before readers can see the new tail or a byte changes: a reader that then finds damage knows to look again.
        Interlocked.Increment(ref _truncations);
        try
        {
            // A redo record first: from here on, an open after a crash finishes the cut rather than bringing records back.
            WriteCheckpoint(target.BaseOffset, position, nextOffset, clean: false, truncating: true);
            PublishTail(new Tail(target, nextOffset, position, lastTicks));
            for (var i = segments.Length - 1; segments[i] != target; i--)
            {
                await DeleteSegmentAsync(segments[i], cancellationToken).ConfigureAwait(false);
            }

            if (target.Sealed)
            {
                _fs.Delete(PathOf(Segment.IndexNameOf(target.BaseOffset)));
                _fs.SyncDirectory(_directory);
                target.MarkActive();
            }

            // Cut to the new end: the writer allocates the segment again before its next write, zeros past the end.
            var file = target.WriteFile;
            file.SetLength(position);
            file.Sync();
            target.Allocated = false;
            target.LastStoreTicks = lastTicks;
            target.Index!.TruncateAt(position);
            lock (_gate)
            {
                _nextOffset = nextOffset;
                _lastStoreTicks = lastTicks;
                _assignSegment = target;
                _assignPosition = position;
            }

            _writeSegment = target;
            _writePosition = position;
            _writtenNext = nextOffset;
            _writtenLastTicks = lastTicks;
            _unsynced = false;
            WriteCheckpoint(target.BaseOffset, position, nextOffset, clean: false);
        }
        catch (Exception ex)
        {
            // Once the checkpoint may be on disk, the files, the catalog and the write position can disagree: no append
            // may go on from here. The next open finds the log as it was or partly cut, and contiguous either way.
            lock (_gate)
            {
                _fault ??= ex;
                ReleaseTailWaiters();
            }

            throw;
        }
    }

    private sealed class PositionFinder(long lastKept) : RecordVisitor
    {
        public long End { get; private set; }

        /// <summary>The store time of the record found.</summary>
        public long StoreTicks { get; private set; }

        public override bool Full => End > 0;

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> frame, string file, long position)
        {
            if (offset == lastKept)
            {
                StoreTicks = storeTicks;
                End = position + frame.Length;
            }
        }
    }
}
