using System.Buffers.Binary;

namespace Vanus.Storage.Segments;

/// <summary>What a sealed segment holds: offsets <c>[BaseOffset, NextOffset)</c> in <c>DataLength</c> bytes, stored between two times.</summary>
internal sealed record SegmentSummary(long BaseOffset, long NextOffset, long DataLength, long FirstStoreTicks, long LastStoreTicks, IndexEntry[] Index)
{
    private const uint Magic = 0x58444956; // "VIDX"
    private const int Version = 1;
    private const int FixedSize = 4 + 4 + 8 * 5 + 8 + 4;
    private const int EntrySize = 24;

    public long Count => NextOffset - BaseOffset;

    /// <summary>The index file's bytes: a fixed header, the entries and a CRC-32C of all that precedes it.</summary>
    public byte[] Serialize(long interval)
    {
        var bytes = new byte[FixedSize + (Index.Length * EntrySize) + 4];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(s[8..], BaseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[16..], NextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], DataLength);
        BinaryPrimitives.WriteInt64LittleEndian(s[32..], FirstStoreTicks);
        BinaryPrimitives.WriteInt64LittleEndian(s[40..], LastStoreTicks);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], interval);
        BinaryPrimitives.WriteInt32LittleEndian(s[56..], Index.Length);
        var at = FixedSize;
        foreach (var e in Index)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s[at..], e.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 8)..], e.Position);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 16)..], e.StoreTicks);
            at += EntrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(s[at..], Crc32C.Compute(s[..at]));
        return bytes;
    }

    /// <summary>Reads an index file; null when it is damaged or of another version (the caller rebuilds it from the segment).</summary>
    public static SegmentSummary? TryDeserialize(ReadOnlySpan<byte> s)
    {
        if (s.Length < FixedSize + 4 || BinaryPrimitives.ReadUInt32LittleEndian(s) != Magic || BinaryPrimitives.ReadInt32LittleEndian(s[4..]) != Version)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(s[56..]);
        var end = FixedSize + ((long)count * EntrySize);
        if (count < 0 || end + 4 != s.Length || Crc32C.Compute(s[..(int)end]) != BinaryPrimitives.ReadUInt32LittleEndian(s[(int)end..]))
        {
            return null;
        }

        var index = new IndexEntry[count];
        for (var i = 0; i < count; i++)
        {
            var at = FixedSize + (i * EntrySize);
            index[i] = new IndexEntry(BinaryPrimitives.ReadInt64LittleEndian(s[at..]), BinaryPrimitives.ReadInt64LittleEndian(s[(at + 8)..]), BinaryPrimitives.ReadInt64LittleEndian(s[(at + 16)..]));
        }

        return new SegmentSummary(
            BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
            index);
    }

    /// <summary>An index over <see cref="Index"/> for searching.</summary>
    public SparseIndex ToSparseIndex(long interval)
    {
        var sparse = new SparseIndex(interval, Index.Length);
        foreach (var e in Index)
        {
            sparse.Add(e.Offset, e.Position, e.StoreTicks);
        }

        return sparse;
    }
}
