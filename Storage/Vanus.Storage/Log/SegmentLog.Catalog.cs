using System.Globalization;
using Vanus.Storage.Files;
using Vanus.Storage.Segments;
using Vanus.Storage.Tiers;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    private const string ColdSuffix = ".vseg";
    private ChunkCache? _cache;

    private string? WarmDirectory => _options.Tiers?.WarmDirectory is { } warm ? Path.GetFullPath(warm) : null;

    private IObjectStore? ColdStore => _options.Tiers?.ColdStore;

    private string ColdKey(long baseOffset) => (_options.Tiers?.ColdPrefix ?? "") + baseOffset.ToString("D20", CultureInfo.InvariantCulture) + ColdSuffix;

    /// <summary>
    /// Lists the segments of every tier, oldest first. A segment found in two tiers is the remains of a move that a crash
    /// interrupted: a warm file appears only by rename, so it wins over a hot one; a cold object wins over a local copy when
    /// it is a whole copy of the segment, and is deleted when it is not. The losing copy goes, so each segment is read from
    /// exactly one place.
    /// </summary>
    private async ValueTask<List<Segment>> ListSegmentsAsync(CancellationToken cancellationToken)
    {
        var hot = LocalSegments(_directory);
        var warm = new SortedDictionary<long, string>();
        if (WarmDirectory is { } warmDirectory)
        {
            _fs.CreateDirectory(warmDirectory);
            foreach (var temp in _fs.List(warmDirectory, TempSuffix))
            {
                _fs.Delete(temp);
            }

            warm = LocalSegments(warmDirectory);
        }

        var cold = new SortedDictionary<long, long>();
        if (ColdStore is { } store)
        {
            var prefix = _options.Tiers!.ColdPrefix;
            foreach (var o in await store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (Segment.TryParseName(o.Key[prefix.Length..], ColdSuffix, out var b))
                {
                    cold[b] = o.Size;
                }
            }

            // This log alone puts its keys (the directory lock is held), so any unfinished put of one is a crash's leftover.
            await store.RemoveIncompleteAsync(prefix, key => key.StartsWith(prefix, StringComparison.Ordinal) && Segment.TryParseName(key[prefix.Length..], ColdSuffix, out _), cancellationToken).ConfigureAwait(false);
            _cache = new ChunkCache(_fs, _options.Tiers.CacheDirectory ?? PathOf("cold-cache"), _options.Tiers.CacheMaxBytes);
        }

        var segments = new SortedDictionary<long, Segment>();
        var deletedCopies = false;
        foreach (var b in hot.Keys.Union(warm.Keys).Union(cold.Keys).Order())
        {
            if (warm.ContainsKey(b))
            {
                deletedCopies |= DeleteLocalCopy(hot, b);
            }

            var localPath = warm.TryGetValue(b, out var warmPath) ? warmPath : hot.GetValueOrDefault(b);
            if (cold.TryGetValue(b, out var size))
            {
                var source = new ColdSegmentSource(ColdStore!, ColdKey(b), b, _cache!);
                if (localPath is null || await ColdCopyWinsAsync(source, size, localPath, b, cancellationToken).ConfigureAwait(false))
                {
                    deletedCopies |= DeleteLocalCopy(hot, b);
                    deletedCopies |= DeleteLocalCopy(warm, b);
                    var segment = new Segment(b) { Tier = SegmentTier.Cold, StoredBytes = size, Source = source };
                    segment.MarkSealed();
                    segments[b] = segment;
                    continue;
                }

                // Not a whole copy of this segment (an upload that went wrong before the move finished): the local copy
                // is still the segment, and the object goes.
                await ColdStore!.DeleteAsync(ColdKey(b), cancellationToken).ConfigureAwait(false);
            }

            segments[b] = OpenLocal(localPath!, b, warm.ContainsKey(b) ? SegmentTier.Warm : SegmentTier.Hot);
        }

        if (deletedCopies)
        {
            // A copy that came back after a power loss would be a second place the segment is read from.
            _fs.SyncDirectory(_directory);
            if (WarmDirectory is { } warmDir)
            {
                _fs.SyncDirectory(warmDir);
            }
        }

        RemoveOrphanIndexes(_directory, segments);
        if (WarmDirectory is { } w)
        {
            RemoveOrphanIndexes(w, segments);
        }

        return [.. segments.Values];
    }

    /// <summary>
    /// Decides between a cold object and a local copy of the same segment, the remains of a move a crash interrupted: the
    /// cold copy wins when it is a whole cold segment that agrees with the local copy's index (when that is readable).
    /// </summary>
    private async ValueTask<bool> ColdCopyWinsAsync(ColdSegmentSource source, long size, string localPath, long baseOffset, CancellationToken cancellationToken)
    {
        var summary = await source.VerifyAsync(size, cancellationToken).ConfigureAwait(false);
        if (summary is null)
        {
            return false;
        }

        var local = ReadIndexFile(Path.GetDirectoryName(localPath)!, baseOffset);
        return local is null || (local.NextOffset == summary.NextOffset && local.DataLength == summary.DataLength);
    }

    /// <summary>The summary in a segment's index file, or null when there is none or it is damaged or not this segment's.</summary>
    private SegmentSummary? ReadIndexFile(string directory, long baseOffset)
    {
        var indexPath = Path.Combine(directory, Segment.IndexNameOf(baseOffset));
        if (!_fs.Exists(indexPath))
        {
            return null;
        }

        using var indexFile = _fs.OpenRead(indexPath);
        var bytes = new byte[indexFile.Length];
        indexFile.Read(0, bytes);
        var summary = SegmentSummary.TryDeserialize(bytes);
        return summary is not null && summary.BaseOffset == baseOffset ? summary : null;
    }

    private SortedDictionary<long, string> LocalSegments(string directory)
    {
        var found = new SortedDictionary<long, string>();
        foreach (var path in _fs.List(directory, SegmentSuffix))
        {
            found[ParseSegmentName(path)] = path;
        }

        return found;
    }

    private bool DeleteLocalCopy(SortedDictionary<long, string> tier, long baseOffset)
    {
        if (!tier.Remove(baseOffset, out var path))
        {
            return false;
        }

        _fs.Delete(path);
        _fs.Delete(Path.Combine(Path.GetDirectoryName(path)!, Segment.IndexNameOf(baseOffset)));
        return true;
    }

    private static long ParseSegmentName(string path) =>
        Segment.TryParseName(Path.GetFileName(path), SegmentSuffix, out var b)
            ? b
            : throw new InvalidDataException($"unexpected file '{path}' among the segments: segment files are named by their 20-digit base offset and '{SegmentSuffix}'");

    private void RemoveOrphanIndexes(string directory, SortedDictionary<long, Segment> segments)
    {
        foreach (var path in _fs.List(directory, IndexSuffix))
        {
            if (!Segment.TryParseName(Path.GetFileName(path), IndexSuffix, out var b)
                || !segments.TryGetValue(b, out var s)
                || s.Tier == SegmentTier.Cold
                || !string.Equals(DirectoryOf(s.Tier), directory, StringComparison.Ordinal))
            {
                _fs.Delete(path);
            }
        }
    }

    /// <summary>
    /// Opens a local segment file and its index file (when there is a valid one: the segment is then sealed). An index
    /// whose segment file is longer than the records it describes is not trusted: it is either from a seal that crashed
    /// before cutting the preallocated tail, or stale, left by a truncation after which new records were written. The index
    /// is dropped and the segment scanned, as the active segment or as a sealed one that lost its index.
    /// </summary>
    private Segment OpenLocal(string path, long baseOffset, SegmentTier tier)
    {
        var directory = Path.GetDirectoryName(path)!;
        var indexPath = Path.Combine(directory, Segment.IndexNameOf(baseOffset));
        var summary = ReadIndexFile(directory, baseOffset);

        var file = _fs.Open(path, create: false);
        _opened.Add(file);
        if (summary is not null)
        {
            var length = file.Length;
            if (length < summary.DataLength)
            {
                throw new LogCorruptedException(path, length, $"the segment file is {length} bytes but its index says its records fill {summary.DataLength}");
            }

            if (length > summary.DataLength)
            {
                _fs.Delete(indexPath);
                _fs.SyncDirectory(directory);
                summary = null;
            }
        }

        var segment = new Segment(baseOffset) { Tier = tier, WriteFile = tier == SegmentTier.Hot ? file : null };
        segment.Source = new LocalSegmentSource(file, summary);
        if (summary is not null)
        {
            segment.ApplySummary(summary, _options.IndexIntervalBytes);
            segment.StoredBytes = summary.DataLength;
        }

        return segment;
    }

    private string DirectoryOf(SegmentTier tier) => tier == SegmentTier.Warm ? WarmDirectory! : _directory;

    private async ValueTask DeleteColdAsync(long baseOffset, CancellationToken cancellationToken)
    {
        await ColdStore!.DeleteAsync(ColdKey(baseOffset), cancellationToken).ConfigureAwait(false);
        _cache?.RemoveAll(ChunkCache.PrefixOf(ColdKey(baseOffset)));
    }

    /// <summary>Moves the oldest sealed segments on to the next tier while their tier's age or size limit says so.</summary>
    private async ValueTask<(List<long> Warm, List<long> Cold)> MoveTiersAsync(CancellationToken cancellationToken)
    {
        var warmMoves = new List<long>();
        var coldMoves = new List<long>();
        if (_options.Tiers is not { } tiers)
        {
            return (warmMoves, coldMoves);
        }

        var now = _time.GetUtcNow().UtcTicks;
        if (tiers.HotMaxAge is not null || tiers.HotMaxBytes is not null)
        {
            // Only segments wholly before the visible end move: a replicated log's uncommitted records may still be cut.
            var tail = _visible;
            var bytes = _segments.Where(s => s.Tier == SegmentTier.Hot).Sum(s => s.Sealed ? s.StoredBytes : _tail.DataLength);
            foreach (var segment in _segments.TakeWhile(s => s != tail.Segment).Where(s => s.Tier == SegmentTier.Hot && s.Sealed).ToList())
            {
                if (!Due(segment, tiers.HotMaxAge, tiers.HotMaxBytes, bytes, now))
                {
                    break;
                }

                bytes -= segment.StoredBytes;
                if (WarmDirectory is not null)
                {
                    MoveToWarm(segment);
                    warmMoves.Add(segment.BaseOffset);
                }
                else
                {
                    await MoveToColdAsync(segment, cancellationToken).ConfigureAwait(false);
                    coldMoves.Add(segment.BaseOffset);
                }
            }
        }

        if (tiers.WarmMaxAge is not null || tiers.WarmMaxBytes is not null)
        {
            var bytes = _segments.Where(s => s.Tier == SegmentTier.Warm).Sum(s => s.StoredBytes);
            foreach (var segment in _segments.Where(s => s.Tier == SegmentTier.Warm).ToList())
            {
                if (!Due(segment, tiers.WarmMaxAge, tiers.WarmMaxBytes, bytes, now))
                {
                    break;
                }

                bytes -= segment.StoredBytes;
                await MoveToColdAsync(segment, cancellationToken).ConfigureAwait(false);
                coldMoves.Add(segment.BaseOffset);
            }
        }

        return (warmMoves, coldMoves);
    }

    private static bool Due(Segment segment, TimeSpan? maxAge, long? maxBytes, long tierBytes, long now) =>
        (maxBytes is { } max && tierBytes > max) || (maxAge is { } age && segment.LastStoreTicks < now - age.Ticks);

    private static SegmentSummary SummaryOf(Segment segment)
    {
        var index = segment.Index!;
        return new SegmentSummary(segment.BaseOffset, segment.NextOffset, segment.DataLength, index.Count > 0 ? index[0].StoreTicks : 0, segment.LastStoreTicks, index.ToArray());
    }

    /// <summary>
    /// Copies a hot segment to the warm directory (temporary name, synced, index written, then renamed into place), points
    /// readers at the copy, and only then deletes the hot file: at every moment exactly one complete copy is the segment.
    /// </summary>
    private void MoveToWarm(Segment segment)
    {
        var warm = WarmDirectory!;
        var source = (LocalSegmentSource)segment.Source;
        var final = Path.Combine(warm, segment.FileName);
        var temp = final + TempSuffix;
        _fs.Delete(temp);
        using (var copy = _fs.Open(temp, create: true))
        {
            var buffer = new byte[1 << 20];
            for (long at = 0; at < segment.DataLength; at += buffer.Length)
            {
                var n = source.File.Read(at, buffer.AsSpan(0, (int)Math.Min(buffer.Length, segment.DataLength - at)));
                copy.Write(at, buffer.AsSpan(0, n));
            }

            copy.Sync();
        }

        var summary = SummaryOf(segment);
        WriteIndexFile(warm, summary);
        _fs.Rename(temp, final);
        _fs.SyncDirectory(warm);

        segment.Source = new LocalSegmentSource(_fs.Open(final, create: false), summary);
        segment.Tier = SegmentTier.Warm;
        segment.WriteFile = null;
        source.Retire();
        _fs.Delete(PathOf(segment.FileName));
        _fs.Delete(PathOf(Segment.IndexNameOf(segment.BaseOffset)));
        _fs.SyncDirectory(_directory);
    }

    /// <summary>
    /// Compresses a segment into a local temporary file, uploads it (the object appears whole or not at all), checks that
    /// what the store holds reads back as this segment, points readers at the cold copy, and only then deletes the local
    /// files. An upload that does not verify is deleted and the segment stays where it was.
    /// </summary>
    private async ValueTask MoveToColdAsync(Segment segment, CancellationToken cancellationToken)
    {
        var tiers = _options.Tiers!;
        var directory = DirectoryOf(segment.Tier);
        var source = (LocalSegmentSource)segment.Source;
        var temp = Path.Combine(directory, segment.FileName + ColdSuffix + TempSuffix);
        _fs.Delete(temp);
        var summary = SummaryOf(segment);
        long length;
        using (var output = _fs.Open(temp, create: true))
        {
            length = ColdSegmentFormat.Write(source.File, summary, _options.IndexIntervalBytes, tiers.ColdChunkSize, tiers.CompressionLevel, output);
        }

        var key = ColdKey(segment.BaseOffset);
        ColdSegmentSource cold;
        try
        {
            await using (var upload = new StorageFileStream(_fs.OpenRead(temp), length))
            {
                await ColdStore!.PutAsync(key, upload, length, cancellationToken).ConfigureAwait(false);
            }

            cold = new ColdSegmentSource(ColdStore, key, segment.BaseOffset, _cache!);
            if (await VerifyUploadAsync(cold, key, length, summary, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                await ColdStore.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                throw new IOException($"the upload of segment {segment.BaseOffset} to {ColdStore.Describe(key)} did not verify ({problem}): it was deleted and the segment stays in the {segment.Tier} tier");
            }
        }
        catch
        {
            _fs.Delete(temp);
            throw;
        }

        segment.Source = cold;
        segment.Tier = SegmentTier.Cold;
        segment.StoredBytes = length;
        segment.WriteFile = null;
        source.Retire();
        _fs.Delete(Path.Combine(directory, segment.FileName));
        _fs.Delete(Path.Combine(directory, Segment.IndexNameOf(segment.BaseOffset)));
        _fs.Delete(temp);
        _fs.SyncDirectory(directory);
    }

    /// <summary>
    /// Reads back what the store holds under <paramref name="key"/>: the object must be listed with exactly the bytes sent,
    /// and its header must pass its CRC and describe this segment. Returns what is wrong, or null. (The stores check the
    /// bytes in between on the way up: S3 by Content-MD5, the directory store by writing and syncing them itself.)
    /// </summary>
    private async ValueTask<string?> VerifyUploadAsync(ColdSegmentSource cold, string key, long length, SegmentSummary expected, CancellationToken cancellationToken)
    {
        var listed = (await ColdStore!.ListAsync(key, cancellationToken).ConfigureAwait(false)).FirstOrDefault(o => o.Key == key);
        if (listed is null)
        {
            return "the object is not listed";
        }

        if (listed.Size != length)
        {
            return $"the object holds {listed.Size} bytes but {length} were sent";
        }

        var summary = await cold.VerifyAsync(listed.Size, cancellationToken).ConfigureAwait(false);
        if (summary is null)
        {
            return "its header does not read back whole";
        }

        return summary.BaseOffset == expected.BaseOffset && summary.NextOffset == expected.NextOffset && summary.DataLength == expected.DataLength
            && summary.LastStoreTicks == expected.LastStoreTicks
            ? null
            : $"its header describes offsets {summary.BaseOffset} to {summary.NextOffset - 1} in {summary.DataLength} bytes, not this segment";
    }

    /// <summary>The segment's index, fetching its summary from its tier when it is not loaded (cold segments).</summary>
    private async ValueTask<SparseIndex> GetIndexAsync(Segment segment, CancellationToken cancellationToken)
    {
        await LoadSummaryAsync(segment, cancellationToken).ConfigureAwait(false);
        return segment.Index!;
    }

    private async ValueTask LoadSummaryAsync(Segment segment, CancellationToken cancellationToken)
    {
        if (segment.Index is null)
        {
            await segment.LoadSummaryAsync(_options.IndexIntervalBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Bytes held by the cold cache (tests check its bound).</summary>
    internal long CacheBytes => _cache?.Bytes ?? 0;
}
