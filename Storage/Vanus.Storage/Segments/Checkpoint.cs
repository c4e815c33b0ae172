using System.Buffers.Binary;
using Vanus.Storage.Files;

namespace Vanus.Storage.Segments;

/// <summary>
/// A point up to which the log is known durable and verified: records before it that fail their CRC are corruption
/// (reported), records after it that fail are a torn tail (truncated). Two CRC-guarded slots are written in turn, so a
/// torn checkpoint write leaves the previous one readable.
/// </summary>
/// <remarks>
/// A checkpoint marked <c>Truncating</c> is a redo record: a truncation to (segment, position, next offset) was under way,
/// and an open finishes it before anything is read, so cut records never come back.
/// </remarks>
internal readonly record struct Checkpoint(long Sequence, long SegmentBase, long Position, long NextOffset, bool Clean, bool Truncating = false)
{
    private const int SlotSize = 64;

    /// <summary>The size of a checkpoint file: its two slots.</summary>
    public const int FileSize = SlotSize * 2;

    public static Checkpoint? Read(IFileSystem fs, string path)
    {
        if (!fs.Exists(path))
        {
            return null;
        }

        using var file = fs.OpenRead(path);
        Span<byte> bytes = stackalloc byte[SlotSize * 2];
        var n = file.Read(0, bytes);
        Checkpoint? best = null;
        for (var slot = 0; slot < 2; slot++)
        {
            if (n >= (slot + 1) * SlotSize && Parse(bytes.Slice(slot * SlotSize, SlotSize)) is { } c && (best is null || c.Sequence > best.Value.Sequence))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>
    /// Writes this checkpoint into the slot its sequence selects, and syncs it unless <paramref name="sync"/> is false (a
    /// checkpoint written after each data sync: lost in a power loss, it leaves an older one, which vouches for less).
    /// </summary>
    public void Write(IStorageFile file, bool sync = true)
    {
        Span<byte> s = stackalloc byte[SlotSize];
        s.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(s, Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(s[8..], SegmentBase);
        BinaryPrimitives.WriteInt64LittleEndian(s[16..], Position);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], NextOffset);
        s[32] = Clean ? (byte)1 : (byte)0;
        s[33] = Truncating ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(s[(SlotSize - 4)..], Crc32C.Compute(s[..(SlotSize - 4)]));
        file.Write((Sequence & 1) * SlotSize, s);
        if (sync)
        {
            file.Sync();
        }
    }

    private static Checkpoint? Parse(ReadOnlySpan<byte> s)
    {
        if (Crc32C.Compute(s[..(SlotSize - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(s[(SlotSize - 4)..]) || !s[..(SlotSize - 4)].ContainsAnyExcept((byte)0))
        {
            return null;
        }

        return new Checkpoint(
            BinaryPrimitives.ReadInt64LittleEndian(s),
            BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
            s[32] == 1,
            s[33] == 1);
    }
}
