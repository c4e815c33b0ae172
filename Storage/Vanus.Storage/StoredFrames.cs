using System.Buffers.Binary;
using Vanus.Storage.Segments;

namespace Vanus.Storage;

/// <summary>Walks a run of stored frames as <see cref="IEventLog.ReadFramesAsync"/> returns them (headers only, no CRC check).</summary>
public static class StoredFrames
{
    /// <summary>How many whole frames <paramref name="frames"/> holds; a trailing part of a frame throws.</summary>
    public static int Count(ReadOnlySpan<byte> frames) => Walk(frames, int.MaxValue).Count;

    /// <summary>The byte position of frame <paramref name="index"/> (the length of the run when it is the count).</summary>
    public static int PositionOf(ReadOnlySpan<byte> frames, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var (count, position) = Walk(frames, index);
        return count == index ? position : throw new ArgumentOutOfRangeException(nameof(index), index, $"the run holds only {count} frames");
    }

    /// <summary>The offset of the first frame, or null for an empty run.</summary>
    public static long? FirstOffset(ReadOnlySpan<byte> frames) =>
        frames.Length >= RecordFormat.HeaderSize ? BinaryPrimitives.ReadInt64LittleEndian(frames[8..]) : null;

    private static (int Count, int Position) Walk(ReadOnlySpan<byte> frames, int limit)
    {
        var count = 0;
        var at = 0;
        while (count < limit && at < frames.Length)
        {
            if (frames.Length - at < RecordFormat.HeaderSize)
            {
                throw new ArgumentException($"the run ends with a part of a frame header at byte {at}", nameof(frames));
            }

            var size = (long)RecordFormat.HeaderSize + BinaryPrimitives.ReadUInt32LittleEndian(frames[at..]);
            if (size > frames.Length - at)
            {
                throw new ArgumentException($"frame {count} at byte {at} needs {size} bytes and the run has {frames.Length - at} left", nameof(frames));
            }

            at += (int)size;
            count++;
        }

        return (count, at);
    }
}
