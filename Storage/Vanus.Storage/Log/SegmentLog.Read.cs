using System.Buffers;
using System.Runtime.CompilerServices;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

internal sealed partial class SegmentLog
{
    private const int ReadWindow = 256 << 10;

    // What a scan returns instead of the next offset when a truncation overtook its view: the caller reads again.
    private const long Stale = -1;

    /// <summary>What a reader sees of the log at one moment: the tail, the catalog, and how many truncations came before.</summary>
    internal readonly record struct ReadView(Tail Tail, Segment[] Segments, long Truncations);

    /// <summary>The log as a reader starting now sees it (the truncation count is read first: a later truncation always shows).</summary>
    internal ReadView View
    {
        get
        {
            var truncations = Interlocked.Read(ref _truncations);
            return new ReadView(_visible, _segments, truncations);
        }
    }

    /// <summary>The log up to what is written, committed or not (what a leader sends its followers).</summary>
    private ReadView WrittenView
    {
        get
        {
            var truncations = Interlocked.Read(ref _truncations);
            return new ReadView(_tail, _segments, truncations);
        }
    }

    public ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes = 1 << 20, CancellationToken cancellationToken = default) =>
        ReadAsync(offset, maxBytes, int.MaxValue, cancellationToken);

    public ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ObjectDisposedException.ThrowIf(_filesClosed, this);
        return ReadAsync(offset, maxBytes, View, cancellationToken, maxCount);
    }

    /// <summary>
    /// Reads as of <paramref name="view"/> (tests pass one taken before a truncation, as a reader racing it would hold). A
    /// scan that a truncation overtook reads again from a fresh view: the read then sees the log as it is after the cut.
    /// </summary>
    internal async ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes, ReadView view, CancellationToken cancellationToken, int maxCount = int.MaxValue)
    {
        var result = new List<StoredEvent>();
        await VisitAsync(offset, view, () =>
        {
            result.Clear();
            return new Collector(result, offset, maxBytes, maxCount);
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadFramesAsync(long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ObjectDisposedException.ThrowIf(_filesClosed, this);
        var output = new ArrayBufferWriter<byte>();
        await VisitAsync(offset, WrittenView, () =>
        {
            output.ResetWrittenCount();
            return new FrameCopier(output, offset, maxBytes);
        }, cancellationToken).ConfigureAwait(false);
        return output.WrittenMemory;
    }

    /// <summary>
    /// Runs the records from <paramref name="offset"/> on through the visitor <paramref name="start"/> makes, segment by
    /// segment, until it is full or the view's tail is reached. A scan that a truncation overtook starts again with a new
    /// visitor from a fresh view: the reader then sees the log as it is after the cut.
    /// </summary>
    private async ValueTask VisitAsync(long offset, ReadView view, Func<RecordVisitor> start, CancellationToken cancellationToken)
    {
        while (true)
        {
            var tail = view.Tail;
            var segments = view.Segments;
            CheckOffset(offset, tail, segments);
            var visitor = start();
            var at = offset;
            var stale = false;
            while (at < tail.NextOffset && !visitor.Full && !stale)
            {
                var segment = FindSegment(segments, at) ?? throw new OffsetOutOfRangeException(at, EarliestOffset, tail.NextOffset);
                var next = await ScanAsync(segment, tail, at, view.Truncations, visitor, cancellationToken).ConfigureAwait(false);
                stale = next == Stale;
                if (!stale && next <= at && !visitor.Full)
                {
                    throw new LogCorruptedException(segment.SourceOrNull?.Description ?? segment.FileName, 0,
                        $"the segment ends before offset {at}, which the catalog says it holds: reading cannot go on");
                }

                at = next;
            }

            if (!stale)
            {
                return;
            }

            view = View;
        }
    }

    public async ValueTask WaitForAsync(long offset, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (offset < _visible.NextOffset)
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
        ObjectDisposedException.ThrowIf(_filesClosed, this);
        while (true)
        {
            var found = await FindOffsetAsync(time.UtcTicks, View, cancellationToken).ConfigureAwait(false);
            if (found != Stale)
            {
                return found;
            }
        }
    }

    private async ValueTask<long> FindOffsetAsync(long ticks, ReadView view, CancellationToken cancellationToken)
    {
        var tail = view.Tail;
        foreach (var segment in view.Segments)
        {
            if (segment == tail.Segment || !segment.Sealed)
            {
                if (tail.NextOffset > segment.BaseOffset && tail.LastStoreTicks >= ticks)
                {
                    return await FindInSegmentAsync(segment, view, ticks, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            if (segment.Index is null)
            {
                await LoadSummaryAsync(segment, cancellationToken).ConfigureAwait(false);
            }

            if (segment.LastStoreTicks >= ticks)
            {
                return await FindInSegmentAsync(segment, view, ticks, cancellationToken).ConfigureAwait(false);
            }
        }

        return tail.NextOffset;
    }

    private async ValueTask<long> FindInSegmentAsync(Segment segment, ReadView view, long ticks, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(segment, cancellationToken).ConfigureAwait(false);
        var start = index.LastBefore(ticks)?.Offset ?? segment.BaseOffset;
        var finder = new TimeFinder(ticks);
        if (await ScanAsync(segment, view.Tail, start, view.Truncations, finder, cancellationToken).ConfigureAwait(false) == Stale)
        {
            return Stale;
        }

        return finder.Found ?? view.Tail.NextOffset;
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
    private async ValueTask<long> ScanAsync(Segment segment, Tail tail, long offset, long truncations, RecordVisitor visitor, CancellationToken cancellationToken)
    {
        var active = segment == tail.Segment;
        var index = await GetIndexAsync(segment, cancellationToken).ConfigureAwait(false);
        var endOffset = active ? tail.NextOffset : segment.NextOffset;
        var endPosition = active ? tail.DataLength : segment.DataLength;
        var entry = index.Floor(offset);
        var position = entry?.Position ?? 0;
        var expected = entry?.Offset ?? segment.BaseOffset;

        var source = segment.Source;
        if (!source.TryAcquire())
        {
            // The segment moved to another tier (or was deleted) between the catalog read and now: follow it.
            ObjectDisposedException.ThrowIf(_filesClosed, this);
            if (Overtaken(truncations))
            {
                return Stale;
            }

            source = segment.Removed ? throw new OffsetOutOfRangeException(offset, EarliestOffset, _visible.NextOffset) : segment.Source;
            if (!source.TryAcquire())
            {
                ObjectDisposedException.ThrowIf(_filesClosed, this);
                throw new OffsetOutOfRangeException(offset, EarliestOffset, _visible.NextOffset);
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
                    // A truncation cut (and zeroed) what this reader's view still counted as records: not damage.
                    if (Overtaken(truncations))
                    {
                        return Stale;
                    }

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
                    visitor.Visit(expected, header.StoreTicks, buffer.AsMemory((int)at, header.FrameSize), source.Description, position);
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

    /// <summary>True when a truncation ran since a reader took its view.</summary>
    private bool Overtaken(long truncations) => Interlocked.Read(ref _truncations) != truncations;

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

        /// <summary>One verified record: <paramref name="frame"/> is its whole frame (header, then payload).</summary>
        public abstract void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> frame, string file, long position);
    }

    private sealed class Collector(List<StoredEvent> result, long from, int maxBytes, int maxCount) : RecordVisitor
    {
        public long Bytes { get; private set; }

        // A reader that wants a few events (a trigger topping up its window) must not pay for decoding a whole megabyte.
        public override bool Full => result.Count >= maxCount || (result.Count > 0 && Bytes >= maxBytes);

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> frame, string file, long position)
        {
            var frameSize = frame.Length;
            var payload = frame[RecordFormat.HeaderSize..];
            if (result.Count >= maxCount)
            {
                return;
            }

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

    /// <summary>Copies whole frames, as stored, up to about a byte budget (at least one).</summary>
    private sealed class FrameCopier(ArrayBufferWriter<byte> output, long from, int maxBytes) : RecordVisitor
    {
        private bool _stopped;

        public override bool Full => _stopped || (output.WrittenCount > 0 && output.WrittenCount >= maxBytes);

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> frame, string file, long position)
        {
            if (offset < from || _stopped)
            {
                return;
            }

            // The first frame that does not fit ends the run: the frames copied stay consecutive.
            if (output.WrittenCount > 0 && output.WrittenCount + frame.Length > maxBytes)
            {
                _stopped = true;
                return;
            }

            output.Write(frame.Span);
        }
    }

    private sealed class TimeFinder(long ticks) : RecordVisitor
    {
        public long? Found { get; private set; }

        public override bool Full => Found.HasValue;

        public override void Visit(long offset, long storeTicks, ReadOnlyMemory<byte> frame, string file, long position)
        {
            if (storeTicks >= ticks)
            {
                Found = offset;
            }
        }
    }
}
