using Vanus.Storage.Files;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

/// <summary>
/// An event log kept as segment files. Appenders frame records into shared batches under one lock; one writer at a time
/// (an idle appender inline, otherwise a thread-pool work item) writes every pending batch in one gather write, syncs per
/// policy, publishes the new tail to readers and completes the appends. Split by concern into partial files.
/// </summary>
internal sealed partial class SegmentLog : IEventLog
{
    private const string SegmentSuffix = ".seg";
    private const string IndexSuffix = ".idx";
    private const string TempSuffix = ".tmp";

    private readonly EventLogOptions _options;
    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;
    private readonly string _directory;
    private readonly Lock _catalogLock = new();
    private readonly SemaphoreSlim _maintenance = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private IDisposable? _directoryLock;
    private IStorageFile? _checkpointFile;
    private long _checkpointSequence;
    private volatile Segment[] _segments = [];

    // Every file recovery opens, until the catalog owns them: closed when an open fails part-way.
    private readonly List<IStorageFile> _opened = [];
    private volatile Tail _tail = null!;

    // What readers see: the written tail, or for a replicated log the committed one (CommitAsync).
    private volatile Tail _visible = null!;
    private readonly SemaphoreSlim _commits = new(1, 1);
    private RecoveryReport _recovery = new();
    private volatile bool _filesClosed;
    private long _truncations;

    private SegmentLog(EventLogOptions options)
    {
        _options = options;
        _fs = options.FileSystem;
        _time = options.Time;
        _directory = Path.GetFullPath(options.Directory);
        _syncTimer = _time.CreateTimer(static s => ((SegmentLog)s!).OnSyncTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Directory => _directory;

    public long EarliestOffset => _segments[0].BaseOffset;

    public long NextOffset => _visible.NextOffset;

    public long WrittenOffset => _tail.NextOffset;

    public RecoveryReport Recovery => _recovery;

    public IReadOnlyList<SegmentInfo> Segments
    {
        get
        {
            var tail = _tail;
            return _segments.Select(s => s.ToInfo(tail.NextOffset, tail.DataLength)).ToList();
        }
    }

    /// <summary>The visible end of the log: readers read up to here and never further.</summary>
    internal sealed record Tail(Segment Segment, long NextOffset, long DataLength, long LastStoreTicks);

    internal static async ValueTask<SegmentLog> OpenAsync(EventLogOptions options, CancellationToken cancellationToken)
    {
        var log = new SegmentLog(options);
        try
        {
            options.FileSystem.CreateDirectory(log._directory);
            log._directoryLock = options.FileSystem.Lock(Path.Combine(log._directory, "LOCK"));
            await log.RecoverAsync(cancellationToken).ConfigureAwait(false);
            log._opened.Clear();
            return log;
        }
        catch
        {
            log.Abandon();
            throw;
        }
    }

    /// <summary>The checkpoint's file name in the log's directory.</summary>
    internal const string CheckpointFile = "checkpoint";

    private string PathOf(string fileName) => Path.Combine(_directory, fileName);

    private async ValueTask RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var temp in _fs.List(_directory, TempSuffix))
        {
            _fs.Delete(temp);
        }

        var checkpoint = Checkpoint.Read(_fs, PathOf(CheckpointFile));
        _checkpointSequence = checkpoint?.Sequence ?? 0;
        if (checkpoint is { Truncating: true } cut)
        {
            FinishTruncation(cut);
        }

        var found = await ListSegmentsAsync(cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            var first = CreateSegmentFile(checkpoint?.NextOffset ?? 0);
            _segments = [first];
            StartWriting(first, 0, first.BaseOffset, 0);
            OpenCheckpointFile();
            WriteCheckpoint(first.BaseOffset, 0, first.BaseOffset, clean: false);
            _recovery = new RecoveryReport { WasClean = checkpoint is null or { Clean: true } };
            return;
        }

        // Every segment but the last is sealed; the last is the active one unless it was sealed (a crash right after sealing).
        var segments = found;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            if (!segments[i].Sealed)
            {
                RebuildSummary(segments[i], segments[i + 1].BaseOffset);
            }
        }

        for (var i = 1; i < segments.Count; i++)
        {
            var previous = segments[i - 1];
            if (previous.Index is not null && previous.Sealed && previous.NextOffset != segments[i].BaseOffset)
            {
                throw new LogCorruptedException(previous.Source.Description, previous.DataLength,
                    $"the segment ends before offset {previous.NextOffset} but the next segment begins at offset {segments[i].BaseOffset}: records are missing");
            }

            if (previous.Index is null)
            {
                // A cold segment whose summary is fetched when first needed: its end is where the next one begins, which
                // its summary must confirm when it comes.
                previous.NextOffset = segments[i].BaseOffset;
                previous.ExpectedNextOffset = segments[i].BaseOffset;
            }
        }

        var last = segments[^1];
        if (last.Sealed)
        {
            await LoadSummaryAsync(last, cancellationToken).ConfigureAwait(false);

            var successor = CreateSegmentFile(last.NextOffset);
            segments.Add(successor);
            last = successor;
        }

        _segments = [.. segments];
        OpenCheckpointFile();
        RecoverActive(last, checkpoint, segments.Count > 1 ? segments[^2] : null);
    }

    /// <summary>
    /// A truncation was under way when the log last stopped (its redo checkpoint is the newest): the segments after its
    /// target go, newest first, the target loses its index and is cut at the position, each step synced. Idempotent, so a
    /// crash in here is finished by the next open. The target and all after it are hot (tiers move the oldest first).
    /// </summary>
    private void FinishTruncation(Checkpoint cut)
    {
        var target = PathOf(Segment.NameOf(cut.SegmentBase));
        if (!_fs.Exists(target))
        {
            throw new LogCorruptedException(target, 0, $"the truncation to offset {cut.NextOffset} under way at the last stop names this segment, which is missing");
        }

        var later = _fs.List(_directory, SegmentSuffix)
            .Select(path => Segment.TryParseName(Path.GetFileName(path), SegmentSuffix, out var b) ? b : -1)
            .Where(b => b > cut.SegmentBase)
            .OrderDescending();
        foreach (var baseOffset in later)
        {
            _fs.Delete(PathOf(Segment.NameOf(baseOffset)));
            _fs.Delete(PathOf(Segment.IndexNameOf(baseOffset)));
            _fs.SyncDirectory(_directory);
        }

        _fs.Delete(PathOf(Segment.IndexNameOf(cut.SegmentBase)));
        _fs.SyncDirectory(_directory);
        using var file = _fs.Open(target, create: false);
        if (file.Length > cut.Position)
        {
            file.SetLength(cut.Position);
            file.Sync();
        }
    }

    /// <summary>Verifies the active segment: damage before the checkpoint is corruption; after it, a torn tail to cut.</summary>
    private void RecoverActive(Segment active, Checkpoint? checkpoint, Segment? previous)
    {
        var file = active.WriteFile!;
        active.Allocated = file.Length >= _options.SegmentSize;
        active.Index = new SparseIndex(_options.IndexIntervalBytes);
        var scan = SegmentScanner.Scan(file, active.BaseOffset, _options.MaxPayload, active.Index);
        if (checkpoint is { } cp)
        {
            if (cp.SegmentBase > active.BaseOffset)
            {
                throw new LogCorruptedException(file.Path, 0, $"the checkpoint refers to segment {cp.SegmentBase}, which is missing");
            }

            if (cp.SegmentBase == active.BaseOffset && scan.Position < cp.Position)
            {
                OpenReadOnly(active, file, scan, cp, previous);
                return;
            }
        }

        var clean = checkpoint is { Clean: true } c && c.SegmentBase == active.BaseOffset && c.Position == scan.Position && c.NextOffset == scan.NextOffset;
        var report = new RecoveryReport { WasClean = clean, RecordsVerified = scan.Records };
        if (!clean)
        {
            // Past the valid end there may be bytes of writes that never completed (sectors persist out of order): they
            // are zeroed so that a later crash can never mistake them for records that follow new appends.
            var zeroed = SegmentScanner.ZeroTail(file, scan.Position);
            if (scan.Reason is not null || zeroed > 0)
            {
                report = report with
                {
                    TruncatedFile = file.Path,
                    TruncatedAt = scan.Position,
                    Reason = scan.Reason ?? $"{zeroed} stray bytes past the last record",
                };
            }
        }

        var lastTicks = scan.Records > 0 ? scan.LastStoreTicks : previous?.LastStoreTicks ?? 0;
        StartWriting(active, scan.Position, scan.NextOffset, lastTicks);

        // After a kill the records found may sit in the page cache only: they are made durable before the checkpoint
        // vouches for them, or a later power loss would leave a checkpoint past the end and the log unable to open.
        file.Sync();
        WriteCheckpoint(active.BaseOffset, scan.Position, scan.NextOffset, clean: false);
        _recovery = report;
    }

    /// <summary>
    /// Synced records of the active segment are damaged (corruption, not a torn tail): the log serves what comes before
    /// the damage and refuses appends, changing nothing on disk, until an operator decides. Deleting the checkpoint file
    /// makes the next open treat the damage as a tail to cut; restoring the eventlog keeps everything.
    /// </summary>
    private void OpenReadOnly(Segment active, IStorageFile file, ScanResult scan, Checkpoint checkpoint, Segment? previous)
    {
        var reason = $"{scan.Reason ?? "the records end"} before the last checkpoint at byte {checkpoint.Position} (offset {checkpoint.NextOffset}), so records that were synced are damaged or missing";
        StartWriting(active, scan.Position, scan.NextOffset, scan.Records > 0 ? scan.LastStoreTicks : previous?.LastStoreTicks ?? 0);
        _fault = new IOException(
            $"the log '{_directory}' is read-only: its data is corrupt in '{file.Path}' at byte {scan.Position}: {reason}. Offsets before {scan.NextOffset} are served; " +
            $"to drop the damaged records and all after them, stop the node and delete '{PathOf(CheckpointFile)}' (the next open cuts the log there), or restore this eventlog");
        _recovery = new RecoveryReport
        {
            WasClean = false,
            RecordsVerified = scan.Records,
            ReadOnly = true,
            CorruptFile = file.Path,
            CorruptAt = scan.Position,
            Reason = reason,
        };
    }

    /// <summary>
    /// Scans a sealed local segment that lost its index file, verifying every record, and writes the index again. The
    /// records must run up to <paramref name="nextBase"/>, where the next segment begins: anything else is damage, reported
    /// before a byte is changed (zeros in the middle would otherwise pass for the end and the cut would drop what follows).
    /// </summary>
    private void RebuildSummary(Segment segment, long nextBase)
    {
        var file = ((LocalSegmentSource)segment.Source).File;
        var index = new SparseIndex(_options.IndexIntervalBytes);
        var scan = SegmentScanner.Scan(file, segment.BaseOffset, _options.MaxPayload, index);
        if (scan.Reason is not null)
        {
            throw new LogCorruptedException(file.Path, scan.Position, scan.Reason + " in a sealed segment");
        }

        if (scan.NextOffset != nextBase)
        {
            throw new LogCorruptedException(file.Path, scan.Position,
                $"the records of this sealed segment end before offset {scan.NextOffset} but the next segment begins at offset {nextBase}: records are missing");
        }

        file.Sync();
        var summary = new SegmentSummary(segment.BaseOffset, scan.NextOffset, scan.Position, index.Count > 0 ? index[0].StoreTicks : 0, scan.LastStoreTicks, index.ToArray());
        WriteIndexFile(Path.GetDirectoryName(file.Path)!, summary);
        if (segment.WriteFile is { } writable && writable.Length > scan.Position)
        {
            writable.SetLength(scan.Position);
            writable.Sync();
        }

        segment.Index = index;
        segment.ApplySummary(summary, _options.IndexIntervalBytes);
        segment.StoredBytes = scan.Position;
    }

    private void WriteIndexFile(string directory, SegmentSummary summary)
    {
        var final = Path.Combine(directory, Segment.IndexNameOf(summary.BaseOffset));
        var temp = final + TempSuffix;
        try
        {
            using var file = _fs.Open(temp, create: true);
            file.SetLength(0);
            file.Write(0, summary.Serialize(_options.IndexIntervalBytes));
            file.Sync();
        }
        catch (StorageFullException)
        {
            // Gives back what the partial file took; the seal is tried again once space returns.
            _fs.Delete(temp);
            throw;
        }

        _fs.Rename(temp, final);
        _fs.SyncDirectory(directory);
    }

    private void OpenCheckpointFile()
    {
        // Both slots allocated up front: a checkpoint write never needs new space, so a full disk cannot fail it.
        _checkpointFile = _fs.Open(PathOf(CheckpointFile), create: true, preallocate: Checkpoint.FileSize);
        _opened.Add(_checkpointFile);

        // The checkpoint vouches for records only if the file itself survives a power loss.
        _fs.SyncDirectory(_directory);
    }

    /// <summary>Creates (or recreates empty) the file of a new active segment, allocated lazily.</summary>
    private Segment CreateSegmentFile(long baseOffset)
    {
        var path = PathOf(Segment.NameOf(baseOffset));
        _fs.Delete(path);
        _fs.Delete(PathOf(Segment.IndexNameOf(baseOffset)));
        // Not allocated yet: a new bus takes no disk space until its first append (the writer allocates then).
        var file = _fs.Open(path, create: true);
        _opened.Add(file);
        _fs.SyncDirectory(_directory);
        var segment = new Segment(baseOffset) { WriteFile = file, Tier = SegmentTier.Hot, Index = new SparseIndex(_options.IndexIntervalBytes) };
        segment.Source = new LocalSegmentSource(file, null);
        return segment;
    }

    private void WriteCheckpoint(long segmentBase, long position, long nextOffset, bool clean, bool sync = true, bool truncating = false)
    {
        _checkpointSequence++;
        new Checkpoint(_checkpointSequence, segmentBase, position, nextOffset, clean, truncating).Write(_checkpointFile!, sync);
        if (sync)
        {
            _checkpointPosition = position;
        }
    }

    private void AddToCatalog(Segment segment)
    {
        lock (_catalogLock)
        {
            _segments = [.. _segments, segment];
        }
    }

    private void RemoveFromCatalog(Segment segment)
    {
        lock (_catalogLock)
        {
            _segments = _segments.Where(s => s != segment).ToArray();
            segment.Removed = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            ReleaseTailWaiters();
        }

        // A running maintenance stops and a running truncation finishes before anything closes; the semaphore is given
        // back at the end so that anything still waiting for it finds the log closed.
        await _closing.CancelAsync().ConfigureAwait(false);
        await _maintenance.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(behindHeld: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A faulted log closes without a clean checkpoint; the next open verifies and repairs the tail.
        }

        await WhenIdleAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _closedForGood = true;
            PlaceHeld();
        }

        await _syncTimer.DisposeAsync().ConfigureAwait(false);
        if (_fault is null)
        {
            if (_unsynced)
            {
                _writeSegment.WriteFile!.Sync();
                _unsynced = false;
            }

            WriteCheckpoint(_writeSegment.BaseOffset, _writePosition, _writtenNext, clean: true);
        }

        CloseFiles();
        _maintenance.Release();
    }

    /// <summary>Drops the log as a crashed process would: no flush, no checkpoint, handles closed.</summary>
    internal void Abandon()
    {
        lock (_gate)
        {
            _closed = true;
            _closedForGood = true;
            _fault ??= new IOException("the log was abandoned");
            PlaceHeld();
            ReleaseTailWaiters();
        }

        _closing.Cancel();
        _syncTimer.Dispose();
        CloseFiles();
    }

    private void CloseFiles()
    {
        _filesClosed = true;
        foreach (var segment in _segments)
        {
            segment.SourceOrNull?.Retire();
        }

        // Only an open that failed part-way leaves files here (a successful one hands them all to the catalog).
        foreach (var file in _opened)
        {
            file.Dispose();
        }

        _opened.Clear();
        _checkpointFile?.Dispose();
        _directoryLock?.Dispose();
        _directoryLock = null;
    }
}
