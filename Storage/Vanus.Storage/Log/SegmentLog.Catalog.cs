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
    /// interrupted after the copy was complete (a warm file appears only by rename, a cold object only whole): the colder
    /// copy wins and the other is deleted, so each segment is read from exactly one place.
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

            _cache = new ChunkCache(_fs, _options.Tiers.CacheDirectory ?? PathOf("cold-cache"), _options.Tiers.CacheMaxBytes);
        }

        var segments = new SortedDictionary<long, Segment>();
        foreach (var b in hot.Keys.Union(warm.Keys).Union(cold.Keys).Order())
        {
            if (cold.TryGetValue(b, out var size))
            {
                DeleteLocalCopy(hot, b);
                DeleteLocalCopy(warm, b);
                var segment = new Segment(b) { Tier = SegmentTier.Cold, StoredBytes = size };
                segment.Source = new ColdSegmentSource(ColdStore!, ColdKey(b), b, _cache!);
                segment.MarkSealed();
                segments[b] = segment;
            }
            else if (warm.TryGetValue(b, out var warmPath))
            {
                DeleteLocalCopy(hot, b);
                segments[b] = OpenLocal(warmPath, b, SegmentTier.Warm);
            }
            else
            {
                segments[b] = OpenLocal(hot[b], b, SegmentTier.Hot);
            }
        }

        RemoveOrphanIndexes(_directory, segments);
        if (WarmDirectory is { } w)
        {
            RemoveOrphanIndexes(w, segments);
        }

        return [.. segments.Values];
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

    private void DeleteLocalCopy(SortedDictionary<long, string> tier, long baseOffset)
    {
        if (tier.Remove(baseOffset, out var path))
        {
            _fs.Delete(path);
            _fs.Delete(Path.Combine(Path.GetDirectoryName(path)!, Segment.IndexNameOf(baseOffset)));
        }
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

    /// <summary>Opens a local segment file and its index file (when there is a valid one: the segment is then sealed).</summary>
    private Segment OpenLocal(string path, long baseOffset, SegmentTier tier)
    {
        var directory = Path.GetDirectoryName(path)!;
        var indexPath = Path.Combine(directory, Segment.IndexNameOf(baseOffset));
        SegmentSummary? summary = null;
        if (_fs.Exists(indexPath))
        {
            using var indexFile = _fs.OpenRead(indexPath);
            var bytes = new byte[indexFile.Length];
            indexFile.Read(0, bytes);
            summary = SegmentSummary.TryDeserialize(bytes);
            if (summary is not null && summary.BaseOffset != baseOffset)
            {
                summary = null;
            }
        }

        var file = _fs.Open(path, create: false);
        var segment = new Segment(baseOffset) { Tier = tier, WriteFile = tier == SegmentTier.Hot ? file : null };
        segment.Source = new LocalSegmentSource(file, summary);
        if (summary is not null)
        {
            var length = file.Length;
            if (length < summary.DataLength)
            {
                throw new LogCorruptedException(path, length, $"the segment file is {length} bytes but its index says its records fill {summary.DataLength}");
            }

            if (length > summary.DataLength)
            {
                // Sealing writes the index before it cuts the preallocated tail: a crash between the two leaves it here.
                file.SetLength(summary.DataLength);
                file.Sync();
            }

            segment.ApplySummary(summary, _options.IndexIntervalBytes);
            segment.StoredBytes = summary.DataLength;
        }

        return segment;
    }

    private string DirectoryOf(SegmentTier tier) => tier == SegmentTier.Warm ? WarmDirectory! : _directory;

    private async ValueTask DeleteColdAsync(long baseOffset, CancellationToken cancellationToken)
    {
        await ColdStore!.DeleteAsync(ColdKey(baseOffset), cancellationToken).ConfigureAwait(false);
        _cache?.RemoveAll(baseOffset.ToString("D20", CultureInfo.InvariantCulture));
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
            var tail = _tail;
            var bytes = _segments.Where(s => s.Tier == SegmentTier.Hot).Sum(s => s.Sealed ? s.StoredBytes : tail.DataLength);
            foreach (var segment in _segments.Where(s => s.Tier == SegmentTier.Hot && s.Sealed && s != tail.Segment).ToList())
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
    /// Compresses a segment into a local temporary file, uploads it (the object appears whole or not at all), points
    /// readers at the cold copy, and only then deletes the local files.
    /// </summary>
    private async ValueTask MoveToColdAsync(Segment segment, CancellationToken cancellationToken)
    {
        var tiers = _options.Tiers!;
        var directory = DirectoryOf(segment.Tier);
        var source = (LocalSegmentSource)segment.Source;
        var temp = Path.Combine(directory, segment.FileName + ColdSuffix + TempSuffix);
        _fs.Delete(temp);
        long length;
        using (var output = _fs.Open(temp, create: true))
        {
            length = ColdSegmentFormat.Write(source.File, SummaryOf(segment), _options.IndexIntervalBytes, tiers.ColdChunkSize, tiers.CompressionLevel, output);
        }

        var key = ColdKey(segment.BaseOffset);
        await using (var upload = new StorageFileStream(_fs.OpenRead(temp), length))
        {
            await ColdStore!.PutAsync(key, upload, length, cancellationToken).ConfigureAwait(false);
        }

        segment.Source = new ColdSegmentSource(ColdStore, key, segment.BaseOffset, _cache!);
        segment.Tier = SegmentTier.Cold;
        segment.StoredBytes = length;
        segment.WriteFile = null;
        source.Retire();
        _fs.Delete(Path.Combine(directory, segment.FileName));
        _fs.Delete(Path.Combine(directory, Segment.IndexNameOf(segment.BaseOffset)));
        _fs.Delete(temp);
        _fs.SyncDirectory(directory);
    }

    /// <summary>Bytes held by the cold cache (tests check its bound).</summary>
    internal long CacheBytes => _cache?.Bytes ?? 0;
}
