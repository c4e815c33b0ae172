using System.Buffers.Binary;
using Vanus.Storage.Files;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Replication;

/// <summary>One epoch of a replicated log: the offset its leader wrote first (its epoch marker's position).</summary>
public readonly record struct EpochEntry(long Epoch, long StartOffset);

/// <summary>
/// The epoch table of one replica (KIP-101's leader-epoch cache): which epoch wrote which offsets, as (epoch, first offset)
/// pairs in increasing order of both. A follower finds the point where its log diverges from the leader's with it, and a
/// vote compares logs by (last epoch, end offset). Appends are synced before the entries they describe are written; a
/// truncation rewrites the file whole (a new file, renamed over the old), so a crash leaves one table or the other.
/// </summary>
public sealed class EpochTable : IDisposable
{
    /// <summary>The file's name in the replica's directory.</summary>
    public const string FileName = "epochs";

    private const int EntrySize = 24;
    private readonly IFileSystem _fs;
    private readonly string _directory;
    private readonly List<EpochEntry> _entries;
    private IStorageFile _file;

    private EpochTable(IFileSystem fs, string directory, IStorageFile file, List<EpochEntry> entries)
    {
        _fs = fs;
        _directory = directory;
        _file = file;
        _entries = entries;
    }

    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<EpochEntry> Entries => _entries;

    /// <summary>The newest epoch in the table, or 0 when it is empty.</summary>
    public long LastEpoch => _entries.Count == 0 ? 0 : _entries[^1].Epoch;

    /// <summary>Opens (or creates, empty) the table in <paramref name="directory"/>; a torn last entry (an append cut by a crash) is dropped.</summary>
    public static EpochTable Open(IFileSystem fs, string directory)
    {
        ArgumentNullException.ThrowIfNull(fs);
        fs.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        foreach (var temp in fs.List(directory, FileName + ".tmp"))
        {
            fs.Delete(temp);
        }

        var existed = fs.Exists(path);
        var file = fs.Open(path, create: true);
        try
        {
            if (!existed)
            {
                fs.SyncDirectory(directory);
            }

            var entries = new List<EpochEntry>();
            var length = file.Length;
            var bytes = new byte[EntrySize];
            for (long at = 0; at + EntrySize <= length; at += EntrySize)
            {
                file.Read(at, bytes);
                if (Parse(bytes) is not { } entry)
                {
                    // Only an append's last entry can be torn (each is synced before the next): nothing after it counts.
                    file.SetLength(at);
                    file.Sync();
                    break;
                }

                if (entries.Count > 0 && (entry.Epoch <= entries[^1].Epoch || entry.StartOffset < entries[^1].StartOffset))
                {
                    throw new LogCorruptedException(path, at, $"epoch {entry.Epoch} from offset {entry.StartOffset} does not follow epoch {entries[^1].Epoch} from offset {entries[^1].StartOffset}");
                }

                entries.Add(entry);
            }

            if (length % EntrySize != 0 && entries.Count * (long)EntrySize < length)
            {
                file.SetLength(entries.Count * (long)EntrySize);
                file.Sync();
            }

            return new EpochTable(fs, directory, file, entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> writes from <paramref name="startOffset"/> on, synced before it returns. The
    /// epoch must be newer than the last and the offset not below the last one's.
    /// </summary>
    public void Append(long epoch, long startOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        if (_entries.Count > 0 && (epoch <= _entries[^1].Epoch || startOffset < _entries[^1].StartOffset))
        {
            throw new InvalidOperationException($"epoch {epoch} from offset {startOffset} cannot follow epoch {_entries[^1].Epoch} from offset {_entries[^1].StartOffset}");
        }

        if (epoch <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epochs start at 1");
        }

        _file.Write(_entries.Count * (long)EntrySize, Serialize(new EpochEntry(epoch, startOffset)));
        _file.Sync();
        _entries.Add(new EpochEntry(epoch, startOffset));
    }

    /// <summary>The epoch that wrote <paramref name="offset"/>, or 0 when the table has none that far back.</summary>
    public long EpochAt(long offset) => EpochEntries.EpochAt(_entries, offset);

    /// <summary>
    /// What a leader tells a follower whose log ends in <paramref name="epoch"/> (KIP-101's OffsetsForLeaderEpoch): the
    /// largest epoch of this table not above it, and where that epoch's offsets end here (the next epoch's start, or
    /// <paramref name="logEnd"/> for the last). (0, 0) when this table holds no epoch that old.
    /// </summary>
    public (long Epoch, long EndOffset) EndOffsetFor(long epoch, long logEnd) => EpochEntries.EndOffsetFor(_entries, logEnd, epoch);

    /// <summary>
    /// After the log was cut to end before <paramref name="logEnd"/>: drops the epochs that start at or after it, so
    /// the table describes only offsets the log holds. Written as a new file renamed over the old one.
    /// </summary>
    public void TruncateTo(long logEnd)
    {
        var keep = _entries.Count;
        while (keep > 0 && _entries[keep - 1].StartOffset >= logEnd)
        {
            keep--;
        }

        if (keep == _entries.Count)
        {
            return;
        }

        Rewrite(_entries.Take(keep).ToList());
    }

    /// <summary>
    /// At a replica's open, after a crash between a log cut and the table's rewrite: drops the epochs that start past
    /// <paramref name="logEnd"/> (they describe offsets the log no longer holds). Unlike <see cref="TruncateTo"/> it keeps
    /// a marker that starts exactly at the end, which the commit rule may have counted.
    /// </summary>
    public void DropPast(long logEnd)
    {
        var keep = _entries.Count;
        while (keep > 0 && _entries[keep - 1].StartOffset > logEnd)
        {
            keep--;
        }

        if (keep < _entries.Count)
        {
            Rewrite(_entries.Take(keep).ToList());
        }
    }

    /// <summary>Replaces every entry (a learner taking a leader's table while it catches up from nothing).</summary>
    public void Replace(IReadOnlyList<EpochEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Epoch <= entries[i - 1].Epoch || entries[i].StartOffset < entries[i - 1].StartOffset)
            {
                throw new ArgumentException($"entry {i} (epoch {entries[i].Epoch} from offset {entries[i].StartOffset}) does not follow the one before it", nameof(entries));
            }
        }

        Rewrite([.. entries]);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private void Rewrite(List<EpochEntry> entries)
    {
        var path = Path.Combine(_directory, FileName);
        var temp = path + ".tmp";
        using (var file = _fs.Open(temp, create: true))
        {
            file.SetLength(0);
            var bytes = new byte[entries.Count * EntrySize];
            for (var i = 0; i < entries.Count; i++)
            {
                Serialize(entries[i]).CopyTo(bytes.AsSpan(i * EntrySize));
            }

            file.Write(0, bytes);
            file.Sync();
        }

        _file.Dispose();
        _fs.Rename(temp, path);
        _fs.SyncDirectory(_directory);
        _file = _fs.Open(path, create: false);
        _entries.Clear();
        _entries.AddRange(entries);
    }

    private static byte[] Serialize(EpochEntry entry)
    {
        var s = new byte[EntrySize];
        BinaryPrimitives.WriteInt64LittleEndian(s, entry.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(s.AsSpan(8), entry.StartOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan(16), Crc32C.Compute(s.AsSpan(0, 16)));
        return s;
    }

    private static EpochEntry? Parse(ReadOnlySpan<byte> s)
    {
        if (Crc32C.Compute(s[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(s[16..]) || BinaryPrimitives.ReadInt64LittleEndian(s) <= 0)
        {
            return null;
        }

        return new EpochEntry(BinaryPrimitives.ReadInt64LittleEndian(s), BinaryPrimitives.ReadInt64LittleEndian(s[8..]));
    }
}
