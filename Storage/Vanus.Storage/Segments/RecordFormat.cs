using System.Buffers.Binary;
using System.Numerics;

namespace Vanus.Storage.Segments;

/// <summary>
/// The on-disk frame of one event: <c>[length u32][crc32c u32][offset i64][stime i64][payload]</c>, little-endian.
/// The CRC covers the payload, then the length, offset and store time, so a torn or misplaced frame fails it.
/// A length of zero never starts a record: it marks the preallocated, never-written end of a segment.
/// </summary>
internal static class RecordFormat
{
    public const int HeaderSize = 24;

    public static int FrameSize(int payloadLength) => HeaderSize + payloadLength;

    /// <summary>The CRC of a payload alone, computed before the offset is known (outside the append lock).</summary>
    public static uint PayloadCrc(ReadOnlySpan<byte> payload) => Crc32C.Append(Crc32C.Seed, payload);

    /// <summary>Fills the header of a frame whose payload already follows it and whose running payload CRC is known.</summary>
    public static void WriteHeader(Span<byte> frame, int payloadLength, uint payloadCrc, long offset, long storeTicks)
    {
        var crc = BitOperations.Crc32C(payloadCrc, (uint)payloadLength);
        crc = BitOperations.Crc32C(crc, (ulong)offset);
        crc = Crc32C.Finish(BitOperations.Crc32C(crc, (ulong)storeTicks));
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], crc);
        BinaryPrimitives.WriteInt64LittleEndian(frame[8..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(frame[16..], storeTicks);
    }

    /// <summary>Checks the frame at the start of <paramref name="data"/>.</summary>
    public static RecordCheck Check(ReadOnlySpan<byte> data, long maxPayload, out RecordHeader header)
    {
        header = default;
        if (data.Length < HeaderSize)
        {
            return data.ContainsAnyExcept((byte)0) ? RecordCheck.Short : RecordCheck.End;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        header = new RecordHeader(
            (int)Math.Min(length, int.MaxValue),
            BinaryPrimitives.ReadUInt32LittleEndian(data[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[16..]));
        if (length == 0)
        {
            return data[..HeaderSize].ContainsAnyExcept((byte)0) ? RecordCheck.BadHeader : RecordCheck.End;
        }

        if (length > maxPayload)
        {
            return RecordCheck.BadHeader;
        }

        if (data.Length < HeaderSize + length)
        {
            return RecordCheck.Short;
        }

        var crc = PayloadCrc(data.Slice(HeaderSize, (int)length));
        crc = BitOperations.Crc32C(crc, length);
        crc = BitOperations.Crc32C(crc, (ulong)header.Offset);
        crc = Crc32C.Finish(BitOperations.Crc32C(crc, (ulong)header.StoreTicks));
        return crc == header.Crc ? RecordCheck.Valid : RecordCheck.BadCrc;
    }
}

/// <summary>The decoded header fields of one frame.</summary>
internal readonly record struct RecordHeader(int PayloadLength, uint Crc, long Offset, long StoreTicks)
{
    public int FrameSize => RecordFormat.HeaderSize + PayloadLength;
}

/// <summary>What <see cref="RecordFormat.Check"/> found.</summary>
internal enum RecordCheck
{
    /// <summary>A whole frame whose CRC matches.</summary>
    Valid,

    /// <summary>Zeros: the never-written end of the segment.</summary>
    End,

    /// <summary>The buffer ends inside the frame (read more, or the file ends inside it).</summary>
    Short,

    /// <summary>A header that cannot be right (length zero with other bytes set, or larger than a segment).</summary>
    BadHeader,

    /// <summary>A whole frame whose CRC does not match.</summary>
    BadCrc,
}
