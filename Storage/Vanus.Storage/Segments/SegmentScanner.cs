using System.Buffers;
using Vanus.Storage.Files;

namespace Vanus.Storage.Segments;

/// <summary>What a scan of a segment found: where the valid records end, the next offset, and why the scan stopped early (null at a clean end).</summary>
internal readonly record struct ScanResult(long Position, long NextOffset, long Records, long LastStoreTicks, string? Reason);

/// <summary>Walks a segment file record by record, verifying each frame, to rebuild its index and find its valid end.</summary>
internal static class SegmentScanner
{
    private const int Window = 1 << 20;

    public static ScanResult Scan(IStorageFile file, long baseOffset, long maxPayload, SparseIndex index)
    {
        var length = file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Window);
        try
        {
            long windowStart = 0;
            var windowLength = 0;
            long position = 0;
            var expected = baseOffset;
            long records = 0, lastTicks = 0;
            while (true)
            {
                RecordHeader header = default;
                var at = (int)(position - windowStart);
                var more = windowStart + windowLength < length;
                var check = windowLength - at < RecordFormat.HeaderSize && more
                    ? RecordCheck.Short
                    : RecordFormat.Check(buffer.AsSpan(at, windowLength - at), maxPayload, out header);
                if (check == RecordCheck.Short && more)
                {
                    // The record runs past the window: slide the window to it (growing it for a large record) and look again.
                    var needed = (int)Math.Max(Window, header.PayloadLength > 0 ? Math.Min(header.FrameSize, length - position) : 0);
                    if (needed > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    windowStart = position;
                    windowLength = file.Read(position, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - position)));
                    continue;
                }

                string? reason = check switch
                {
                    RecordCheck.Valid when header.Offset != expected => $"the record at byte {position} has offset {header.Offset}, expected {expected}",
                    RecordCheck.Valid => null,
                    RecordCheck.End => "",
                    RecordCheck.Short => $"the record at byte {position} is cut short by the end of the file",
                    RecordCheck.BadHeader => $"the record at byte {position} has an impossible length ({header.PayloadLength})",
                    _ => $"the record at byte {position} (offset {expected}) fails its CRC",
                };
                if (reason is not null)
                {
                    return new ScanResult(position, expected, records, lastTicks, reason.Length == 0 ? null : reason);
                }

                index.Add(expected, position, header.StoreTicks);
                lastTicks = header.StoreTicks;
                position += header.FrameSize;
                expected++;
                records++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Zeroes every non-zero byte from <paramref name="from"/> to the end of the file and syncs; returns how far past <paramref name="from"/> stray bytes reached.</summary>
    public static long ZeroTail(IStorageFile file, long from)
    {
        var length = file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Window);
        try
        {
            long reach = 0;
            for (var position = from; position < length; position += Window)
            {
                var n = file.Read(position, buffer.AsSpan(0, (int)Math.Min(Window, length - position)));
                var span = buffer.AsSpan(0, n);
                var last = span.LastIndexOfAnyExcept((byte)0);
                if (last >= 0)
                {
                    span[..(last + 1)].Clear();
                    file.Write(position, span[..(last + 1)]);
                    reach = position + last + 1 - from;
                }
            }

            if (reach > 0)
            {
                file.Sync();
            }

            return reach;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
