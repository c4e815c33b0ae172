namespace Vanus.Storage.Segments;

/// <summary>One index point: a record's offset, its position in the segment file and its store time.</summary>
internal readonly record struct IndexEntry(long Offset, long Position, long StoreTicks);

/// <summary>
/// A sparse offset and time index of one segment: an entry for the first record and then for the first record at or past
/// every <c>interval</c> bytes. One writer appends; readers search concurrently without locks.
/// </summary>
internal sealed class SparseIndex
{
    private readonly long _interval;
    private IndexEntry[] _entries;
    private volatile int _count;
    private long _nextPosition;

    public SparseIndex(long interval, int capacity = 16)
    {
        _interval = interval;
        _entries = new IndexEntry[Math.Max(capacity, 1)];
    }

    public int Count => _count;

    public long Interval => _interval;

    public IndexEntry this[int i] => _entries[i];

    /// <summary>Notes a record; adds an entry when it starts a new interval. Called by the single writer, in offset order.</summary>
    public void Add(long offset, long position, long storeTicks)
    {
        if (position < _nextPosition && _count > 0)
        {
            return;
        }

        var count = _count;
        if (count == _entries.Length)
        {
            var grown = new IndexEntry[count * 2];
            _entries.AsSpan(0, count).CopyTo(grown);
            _entries = grown;
        }

        _entries[count] = new IndexEntry(offset, position, storeTicks);
        _nextPosition = position + _interval;

        // The volatile write publishes the entry (and any grown array) to readers that read the count first.
        _count = count + 1;
    }

    /// <summary>Drops every entry at or past <paramref name="position"/> (truncation and recovery, with no readers of those records).</summary>
    public void TruncateAt(long position)
    {
        var count = _count;
        while (count > 0 && _entries[count - 1].Position >= position)
        {
            count--;
        }

        _count = count;
        _nextPosition = count == 0 ? 0 : _entries[count - 1].Position + _interval;
    }

    /// <summary>The last entry whose offset is at most <paramref name="offset"/>, or null when none is.</summary>
    public IndexEntry? Floor(long offset) => Search(offset, static e => e.Offset);

    /// <summary>The last entry whose store time is before <paramref name="storeTicks"/>, or null when none is.</summary>
    public IndexEntry? LastBefore(long storeTicks) => Search(storeTicks - 1, static e => e.StoreTicks);

    /// <summary>A copy of the entries, for writing the index file.</summary>
    public IndexEntry[] ToArray() => _entries.AsSpan(0, _count).ToArray();

    private IndexEntry? Search(long key, Func<IndexEntry, long> keyOf)
    {
        var count = _count;
        var entries = _entries;
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (keyOf(entries[mid]) <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? null : entries[found];
    }
}
