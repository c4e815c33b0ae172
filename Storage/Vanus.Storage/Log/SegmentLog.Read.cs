using System.Buffers;
using System.Runtime.CompilerServices;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    private const int ReadWindow = 256 << 10;

    public async ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes = 1 << 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var tail = _tail;
        var segments = _segments;
        CheckOffset(offset, tail, segments);
        var result = new List<StoredEvent>();
        if (offset == tail.NextOffset)
        {
            return result;
        }

        var visitor = new Collector(result, offset, maxBytes);
        while (offset < tail.NextOffset && !visitor.Full)
        {
            var segment = FindSegment(segments, offset) ?? throw new OffsetOutOfRangeException(offset, EarliestOffset, tail.NextOffset);
            offset = await ScanAsync(segment, tail, offset, visitor, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public async ValueTask WaitForAsync(long offset, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (offset < _tail.NextOffset)
                {
                    return;
                }

                ThrowIfUnusable();
                _tailWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _tailWaiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async IAsyncEnumerable<StoredEvent> TailAsync(long offset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await WaitForAsync(offset, cancellationToken).ConfigureAwait(false);
            foreach (var stored in await ReadAsync(offset, 1 << 20, cancellationToken).ConfigureAwait(false))
            {
                yield return stored;
                offset = stored.Offset + 1;
            }
        }
    }

    public async ValueTask<long> FindOffsetAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var ticks = time.UtcTicks;
        var tail = _tail;
        foreach (var segment in _segments)
        {
            if (segment == tail.Segment || !segment.Sealed)
            {
                if (tail.NextOffset > segment.BaseOffset && tail.LastStoreTicks >= ticks)
                {
                    return await FindInSegmentAsync(segment, tail, ticks, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            if (segment.Index is null)
            {
                await segment.LoadSummaryAsync(_options.IndexIntervalBytes, cancellationToken).ConfigureAwait(false);
            }

            if (segment.LastStoreTicks >= ticks)
            {
                return await FindInSegmentAsync(segment, tail, ticks, cancellationToken).ConfigureAwait(false);
            }
        }

        return tail.NextOffset;
    }

    private async ValueTask<long> FindInSegmentAsync(Segment segment, Tail tail, long ticks, CancellationToken cancellationToken)
    {
        var index = await segment.GetIndexAsync(_options.IndexIntervalBytes, cancellationToken).ConfigureAwait(false);
        var start = index.LastBefore(ticks)?.Offset ?? segment.BaseOffset;
        var finder = new TimeFinder(ticks);
        await ScanAsync(segment, tail, start, finder, cancellationToken).ConfigureAwait(false);
        return finder.Found ?? tail.NextOffset;
    }

    private static void CheckOffset(long offset, Tail tail, Segment[] segments)
    {
        if (offset < segments[0].BaseOffset || offset > tail.NextOffset)
        {
            throw new OffsetOutOfRangeException(offset, segments[0].BaseOffset, tail.NextOffset);
        }
    }

    private static Segment? FindSegment(Segment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1;
        Segment? found = null;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = segments[mid];
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>
    /// Walks the records of one segment from <paramref name="offset"/> (found through the sparse index) up to the visible
    /// end, verifying each, and hands them to <paramref name="visitor"/> until it is full. Returns the next offset to read.
    /// </summary>
    private async ValueTask<long> ScanAsync(Segment segment, Tail tail, long offset, RecordVisitor visitor, CancellationToken cancellationToken)
    {
        var active = segment == tail.Segment;
        var index = await segment.GetIndexAsync(_options.IndexIntervalBytes, cancellationToken).ConfigureAwait(false);
        var endOffset = active ? tail.NextOffset : segment.NextOffset;
        var endPosition = active ? tail.DataLength : segment.DataLength;
        var entry = index.Floor(offset);
        var position = entry?.Position ?? 0;
        var expected = entry?.Offset ?? segment.BaseOffset;

        var source = segment.Source;
        if (!source.TryAcquire())
        {
            // The segment moved to another tier (or was deleted) between the catalog read and now: follow it.
            source = segment.Removed ? throw new OffsetOutOfRangeException(offset, EarliestOffset, _tail.NextOffset) : segment.Source;
            if (!source.TryAcquire())
            {
                throw new OffsetOutOfRangeException(offset, EarliestOffset, _tail.NextOffset);
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ReadWindow);
        try
        {
            long windowStart = 0;
            var windowLength = 0;
            while (expected < endOffset && !visitor.Full)
            {
                var at = position - windowStart;
                if (at < 0 || at + RecordFormat.HeaderSize > windowLength)
                {
                    windowStart = position;
                    windowLength = await FillAsync(source, position, buffer, endPosition, cancellationToken).ConfigureAwait(false);
                    at = 0;
                }

                var check = RecordFormat.Check(buffer.AsSpan((int)at, windowLength - (int)at), _options.MaxPayload, out var header);
                if (check == RecordCheck.Short && position + RecordFormat.HeaderSize <= endPosition && header.PayloadLength > 0 && position + header.FrameSize <= endPosition)
                {
                    if (header.FrameSize > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(header.FrameSize);
                    }

                    windowStart = position;
                    windowLength = await FillAsync(source, position, buffer, endPosition, cancellationToken).ConfigureAwait(false);
                    check = RecordFormat.Check(buffer.AsSpan(0, windowLength), _options.MaxPayload, out header);
                    at = 0;
                }

                if (check != RecordCheck.Valid || header.Offset != expected)
                {
                    var what = check switch
                    {
                        RecordCheck.Valid => $"the record has offset {header.Offset}, expected {expected}",
                        RecordCheck.BadCrc => $"the record of offset {expected} fails its CRC",
                        RecordCheck.End => $"the record of offset {expected} is missing (zeros)",
                        RecordCheck.Short => $"the record of offset {expected} is cut short",
                        _ => $"the record of offset {expected} has an impossible length ({header.PayloadLength})",
                    };
                    throw new LogCorruptedException(source.Description, position, what);
                }

                if (expected >= offset)
                {
                    visitor.Visit(expected, header.StoreTicks, buffer.AsMemory((int)at + RecordFormat.HeaderSize, header.PayloadLength), header.FrameSize, source.Description, position);
                }

                position += header.FrameSize;
                expected++;
            }

            return expected;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            source.Release();
        }
    }

    private static async ValueTask<int> FillAsync(SegmentSource source, long position, byte[] buffer, long endPosition, CancellationToken cancellationToken)
    {
        var want = (int)Math.Min(buffer.Length, endPosition - position);
        var total = 0;
        while (total < want)
        {
            var n = await source.ReadAsync(position + total, buffer.AsMemory(total, want - total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Receives verified records from a scan.</summary>
    private abstract class RecordVisitor
    {
        public abstract bool Full { get; }

        public abstract void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> payload, int frameSize, string file, long position);
    }

    private sealed class Collector(List<StoredEvent> result, long from, int maxBytes) : RecordVisitor
    {
        public long Bytes { get; private set; }

        public override bool Full => result.Count > 0 && Bytes >= maxBytes;

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> payload, int frameSize, string file, long position)
        {
            if (offset < from || (result.Count > 0 && Bytes + frameSize > maxBytes))
            {
                Bytes = offset < from ? Bytes : maxBytes;
                return;
            }

            Event e;
            try
            {
                e = BinaryEventCodec.Decode(payload);
            }
            catch (CloudEventFormatException ex)
            {
                throw new LogCorruptedException(file, position, $"the record of offset {offset} passes its CRC but does not decode: {ex.Message}");
            }

            result.Add(new StoredEvent(offset, new DateTimeOffset(storeTicks, TimeSpan.Zero), e));
            Bytes += frameSize;
        }
    }

    private sealed class TimeFinder(long ticks) : RecordVisitor
    {
        public long? Found { get; private set; }

        public override bool Full => Found.HasValue;

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> payload, int frameSize, string file, long position)
        {
            if (storeTicks >= ticks)
            {
                Found = offset;
            }
        }
    }
}
