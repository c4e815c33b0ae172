using System.Buffers.Binary;
using Vanus.Storage.Files;
using Vanus.Storage.Segments;
using ZstdSharp;

namespace Vanus.Storage.Tiers;

/// <summary>A chunk of a cold object: where its compressed bytes are and the CRC-32C of its uncompressed bytes.</summary>
internal readonly record struct ColdChunk(long Offset, int Length, uint Crc);

/// <summary>The parsed header of a cold object.</summary>
internal sealed record ColdHeader(int ChunkSize, long DataLength, ColdChunk[] Chunks, SegmentSummary Summary, long ObjectLength);

/// <summary>
/// The cold form of a sealed segment: one object holding a header (chunk table and the segment's index) and the segment's
/// bytes in zstd-compressed chunks, so a read fetches the header once and then only the chunks it needs (ranged reads).
/// Layout: <c>[magic u64][header length u32][chunk size u32][chunk count u32][summary length u32][data length i64]</c>,
/// the chunk table (<c>[offset i64][length u32][crc u32]</c> each), the summary, a CRC-32C of the header, then the chunks.
/// </summary>
internal static class ColdSegmentFormat
{
    public const int FixedSize = 32;
    private const ulong Magic = 0x3154535A47455356; // "VSEGZST1"
    private const int EntrySize = 16;

    public static long Write(IStorageFile source, SegmentSummary summary, long indexInterval, int chunkSize, int level, IStorageFile output)
    {
        var summaryBytes = summary.Serialize(indexInterval);
        var count = (int)((summary.DataLength + chunkSize - 1) / chunkSize);
        var headerLength = FixedSize + (count * EntrySize) + summaryBytes.Length + 4;
        var header = new byte[headerLength];
        var chunk = new byte[chunkSize];
        var compressed = new byte[Compressor.GetCompressBound(chunkSize)];
        using var compressor = new Compressor(level);
        long position = headerLength;
        for (var k = 0; k < count; k++)
        {
            var want = (int)Math.Min(chunkSize, summary.DataLength - ((long)k * chunkSize));
            var n = source.Read((long)k * chunkSize, chunk.AsSpan(0, want));
            if (n != want)
            {
                throw new LogCorruptedException(source.Path, ((long)k * chunkSize) + n, $"the segment file ends before the {summary.DataLength} bytes its index says it holds");
            }

            var length = compressor.Wrap(chunk.AsSpan(0, n), compressed);
            output.Write(position, compressed.AsSpan(0, length));
            var entry = header.AsSpan(FixedSize + (k * EntrySize));
            BinaryPrimitives.WriteInt64LittleEndian(entry, position);
            BinaryPrimitives.WriteInt32LittleEndian(entry[8..], length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], Crc32C.Compute(chunk.AsSpan(0, n)));
            position += length;
        }

        var s = header.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(s, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], headerLength);
        BinaryPrimitives.WriteInt32LittleEndian(s[12..], chunkSize);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], count);
        BinaryPrimitives.WriteInt32LittleEndian(s[20..], summaryBytes.Length);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], summary.DataLength);
        summaryBytes.CopyTo(s[(FixedSize + (count * EntrySize))..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[^4..], Crc32C.Compute(s[..^4]));
        output.Write(0, header);
        output.Sync();
        return position;
    }

    /// <summary>The total header length announced by the first <see cref="FixedSize"/> bytes.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> start, string where)
    {
        if (start.Length < FixedSize || BinaryPrimitives.ReadUInt64LittleEndian(start) != Magic)
        {
            throw new LogCorruptedException(where, 0, "not a cold segment object (bad magic)");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(start[8..]);
        return length >= FixedSize + 4 ? length : throw new LogCorruptedException(where, 8, $"impossible header length {length}");
    }

    public static ColdHeader Parse(ReadOnlySpan<byte> header, string where)
    {
        var length = HeaderLength(header, where);
        if (header.Length < length || Crc32C.Compute(header[..(length - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(header[(length - 4)..]))
        {
            throw new LogCorruptedException(where, 0, "the cold segment header fails its CRC");
        }

        var chunkSize = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        var summaryLength = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        var chunks = new ColdChunk[count];
        for (var k = 0; k < count; k++)
        {
            var e = header[(FixedSize + (k * EntrySize))..];
            chunks[k] = new ColdChunk(BinaryPrimitives.ReadInt64LittleEndian(e), BinaryPrimitives.ReadInt32LittleEndian(e[8..]), BinaryPrimitives.ReadUInt32LittleEndian(e[12..]));
        }

        var summary = SegmentSummary.TryDeserialize(header.Slice(FixedSize + (count * EntrySize), summaryLength))
            ?? throw new LogCorruptedException(where, FixedSize + (count * EntrySize), "the cold segment's index is damaged");
        var objectLength = count > 0 ? chunks[^1].Offset + chunks[^1].Length : length;
        return new ColdHeader(chunkSize, BinaryPrimitives.ReadInt64LittleEndian(header[24..]), chunks, summary, objectLength);
    }

    /// <summary>Decompresses one chunk and checks it against its CRC.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int uncompressedLength, uint crc, string where, long position)
    {
        var chunk = new byte[uncompressedLength];
        int n;
        try
        {
            using var decompressor = new Decompressor();
            n = decompressor.Unwrap(compressed, chunk);
        }
        catch (ZstdException ex)
        {
            throw new LogCorruptedException(where, position, $"a cold chunk does not decompress: {ex.Message}");
        }

        if (n != uncompressedLength || Crc32C.Compute(chunk) != crc)
        {
            throw new LogCorruptedException(where, position, "a cold chunk fails its CRC after decompression");
        }

        return chunk;
    }
}
