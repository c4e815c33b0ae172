using Vanus.Storage.Files;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

/// <summary>One segment in a log's catalog: its offsets, its sparse index, its tier and the source its bytes are read from.</summary>
internal sealed class Segment(long baseOffset)
{
    private volatile SegmentSource? _source;
    private volatile SparseIndex? _index;
    private volatile bool _sealed;
    private volatile bool _removed;

    public long BaseOffset { get; } = baseOffset;

    public string FileName => NameOf(BaseOffset);

    /// <summary>Sealed: the end offset. For the active segment the log's tail holds the visible end instead.</summary>
    public long NextOffset { get; set; }

    public long DataLength { get; set; }

    public long StoredBytes { get; set; }

    public long LastStoreTicks { get; set; }

    /// <summary>Where the next segment begins, for a segment whose summary is fetched later (cold): the summary must end there.</summary>
    public long? ExpectedNextOffset { get; set; }

    public SegmentTier Tier { get; set; } = SegmentTier.Hot;

    public bool Sealed => _sealed;

    /// <summary>True once retention or truncation dropped the segment from the catalog.</summary>
    public bool Removed
    {
        get => _removed;
        set => _removed = value;
    }

    /// <summary>Whether the file's blocks are allocated up to the segment size (owned by the writer: done at its first write).</summary>
    public bool Allocated { get; set; }

    /// <summary>The writable file of the active segment (and of a sealed hot one until it moves).</summary>
    public IStorageFile? WriteFile { get; set; }

    public SegmentSource Source
    {
        get => _source ?? throw new InvalidOperationException($"segment {BaseOffset} has no source");
        set => _source = value;
    }

    public SegmentSource? SourceOrNull => _source;

    public SparseIndex? Index
    {
        get => _index;
        set => _index = value;
    }

    /// <summary>The segment's index, fetching the summary from its tier when it is not loaded (cold segments).</summary>
    public async ValueTask<SparseIndex> GetIndexAsync(long interval, CancellationToken cancellationToken)
    {
        if (_index is { } index)
        {
            return index;
        }

        await LoadSummaryAsync(interval, cancellationToken).ConfigureAwait(false);
        return _index!;
    }

    public async ValueTask LoadSummaryAsync(long interval, CancellationToken cancellationToken)
    {
        if (_index is not null)
        {
            return;
        }

        var source = Source;
        if (!source.TryAcquire())
        {
            throw new OffsetOutOfRangeException(BaseOffset, BaseOffset, BaseOffset);
        }

        try
        {
            var summary = await source.GetSummaryAsync(cancellationToken).ConfigureAwait(false);
            if (ExpectedNextOffset is { } next && summary.NextOffset != next)
            {
                // Applied, it would send readers past records that are not there (or round in circles short of them).
                throw new LogCorruptedException(source.Description, 0,
                    $"the segment's summary says its records end before offset {summary.NextOffset}, but the next segment begins at offset {next}");
            }

            ApplySummary(summary, interval);
        }
        finally
        {
            source.Release();
        }
    }

    /// <summary>Marks the segment sealed with what its summary says.</summary>
    public void ApplySummary(SegmentSummary summary, long interval)
    {
        NextOffset = summary.NextOffset;
        DataLength = summary.DataLength;
        LastStoreTicks = summary.LastStoreTicks;
        _index ??= summary.ToSparseIndex(interval);
        _sealed = true;
    }

    public void MarkSealed() => _sealed = true;

    public void MarkActive() => _sealed = false;

    public SegmentInfo ToInfo(long tailNext, long tailLength) =>
        _sealed ? new SegmentInfo(BaseOffset, NextOffset, StoredBytes, Tier, true) : new SegmentInfo(BaseOffset, tailNext, tailLength, Tier, false);

    public static string NameOf(long baseOffset) => baseOffset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".seg";

    public static string IndexNameOf(long baseOffset) => baseOffset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".idx";

    /// <summary>Parses a segment or index file name; false for any other name.</summary>
    public static bool TryParseName(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = 0;
        return fileName.Length == 20 + suffix.Length
            && fileName.EndsWith(suffix, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out baseOffset);
    }
}
