using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vanus.Operators.Timing;

/// <summary>
/// A hierarchical timing wheel (Varghese &amp; Lauck; the layout of Kafka's purgatory): pending timers of a small struct
/// <typeparamref name="T"/>, O(1) schedule and cancel, handed out by <see cref="Advance"/> once their due time has come,
/// never earlier. Single-threaded: the owner serialises every call and supplies the time, the wheel never reads a clock.
/// </summary>
/// <remarks>
/// <para>Level 0 has <c>slots</c> buckets of one tick each; a bucket of level L+1 spans all of level L, and levels are
/// added on demand up to the one whose span covers <see cref="DateTimeOffset.MaxValue"/>, so any horizon works. A timer
/// sits in the lowest level whose span still reaches its due time and cascades down as its bucket comes round.</para>
/// <para>Non-empty buckets are also kept in a min-heap by start time (Kafka's delay queue of buckets), so
/// <see cref="Advance"/> over a long idle gap costs O(buckets flushed × log buckets), not O(ticks), and
/// <see cref="NextDue"/> tells the owner when to wake.</para>
/// <para>Timers are nodes of intrusive circular doubly linked lists, stored in a chunked pool: a pending timer costs
/// its due time, its item, two links and a generation (40 bytes for a 16-byte item), with no allocation once the pool
/// has grown, and chunks never move, so growth copies nothing.</para>
/// </remarks>
/// <typeparam name="T">The payload handed back on expiry; meant to be small (an eventlog position, not an event).</typeparam>
public sealed class TimingWheel<T>
{
    /// <summary>The default tick of level 0: one millisecond.</summary>
    public static readonly TimeSpan DefaultTick = TimeSpan.FromMilliseconds(1);

    /// <summary>The default number of buckets per level.</summary>
    public const int DefaultSlots = 512;

    private const int MaxSlots = 1 << 16;
    private static readonly TimeSpan MaxTick = TimeSpan.FromHours(1);

    // 16384 nodes per chunk: small enough that the last, partly used chunk wastes little, large enough that the
    // chunk table stays tiny even for tens of millions of timers.
    private const int ChunkShift = 14;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    // Node 0 is the sentinel of the ready list: timers due before the end of the current tick, waiting for an Advance
    // whose time reaches them. Bucket sentinels follow, one block of `slots` per level.
    private const int Ready = 0;

    // Sentinels carry a negative generation so that no handle (generation >= 1) can ever name one; the two values
    // double as the bucket's "in the heap" flag.
    private const int NotQueued = -1;
    private const int Queued = -2;

    private static readonly bool ItemHasReferences = RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    private readonly int _slots;
    private readonly long[] _tickSize;
    private readonly long[] _span;
    private readonly long[] _current;
    private readonly int[] _base;
    private int _levels;

    // The wheel's time in UTC ticks: the latest time it was advanced to (or its start). Only moves forward.
    private long _time;

    // A lower bound of the due times in the ready list (exact after each Advance; cancels may leave it low).
    private long _readyMin = long.MaxValue;

    private Node[][] _chunks = new Node[4][];
    private int _highWater;
    private int _free = -1;
    private int _count;

    private int[] _heap = new int[64];
    private int _heapCount;

    private long[] _expiredDues = new long[256];

    /// <summary>Creates an empty wheel whose time is <paramref name="start"/>.</summary>
    /// <param name="start">The wheel's initial time.</param>
    /// <param name="tick">The span of a level-0 bucket, between 100 ns and one hour; 1 ms when null.</param>
    /// <param name="slots">Buckets per level, between 2 and 65536.</param>
    public TimingWheel(DateTimeOffset start, TimeSpan? tick = null, int slots = DefaultSlots)
    {
        var tickSize = tick ?? DefaultTick;
        if (tickSize <= TimeSpan.Zero || tickSize > MaxTick)
        {
            throw new ArgumentOutOfRangeException(nameof(tick), tickSize, $"The tick of a timing wheel must be between 100 ns and {MaxTick}.");
        }

        if (slots < 2 || slots > MaxSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, $"A timing wheel level needs between 2 and {MaxSlots} slots.");
        }

        _slots = slots;

        // Level sizes up to the first level whose span reaches past the last representable time: that level never
        // wraps, so it needs no overflow above it, and no span computation can overflow a long.
        var maxTicks = DateTimeOffset.MaxValue.UtcTicks;
        var sizes = new List<long>();
        var size = tickSize.Ticks;
        while (true)
        {
            sizes.Add(size);
            if (size > maxTicks / slots)
            {
                break;
            }

            size *= slots;
        }

        _tickSize = [.. sizes];
        _span = new long[sizes.Count];
        for (var level = 0; level < sizes.Count; level++)
        {
            _span[level] = level == sizes.Count - 1 ? long.MaxValue : sizes[level] * slots;
        }

        _current = new long[sizes.Count];
        _base = new int[sizes.Count];
        _time = start.UtcTicks;

        var ready = AllocateFresh();
        InitSentinel(ready);
        CreateLevel();
    }

    /// <summary>The number of pending timers (scheduled, neither expired nor cancelled).</summary>
    public int Count => _count;

    /// <summary>The wheel's time: the latest time it was advanced to, or its start.</summary>
    public DateTimeOffset Time => new(_time, TimeSpan.Zero);

    /// <summary>The levels created so far (level 0 and the overflow levels that far-future timers needed).</summary>
    public int Levels => _levels;

    /// <summary>Buckets flushed (expired or cascaded) by <see cref="Advance"/> so far: the work it did, which idle time does not add to.</summary>
    public long BucketsFlushed { get; private set; }

    /// <summary>
    /// When the owner should next call <see cref="Advance"/>, or null when no timer is pending: the start of the earliest
    /// non-empty bucket, or the earliest due time among timers of the current tick. No timer is due before it;
    /// advancing to it either expires timers or refines it, in at most one step per level.
    /// </summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            // Buckets emptied by Cancel stay in the heap (cancel is O(1)); drop them here so the answer is a real bucket.
            while (_heapCount > 0)
            {
                var top = _heap[0];
                ref var sentinel = ref At(top);
                if (sentinel.Next != top)
                {
                    break;
                }

                HeapPop();
                sentinel.Generation = NotQueued;
            }

            var best = long.MaxValue;
            if (At(Ready).Next != Ready)
            {
                best = _readyMin;
            }

            if (_heapCount > 0)
            {
                best = Math.Min(best, At(_heap[0]).Due);
            }

            return best == long.MaxValue ? null : new DateTimeOffset(best, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Schedules <paramref name="item"/> to be handed out by the first <see cref="Advance"/> whose time is at or after
    /// <paramref name="due"/>; a due time in the past expires at the next <see cref="Advance"/>. O(1).
    /// </summary>
    public TimerHandle Schedule(DateTimeOffset due, T item)
    {
        var index = AllocateNode();
        ref var node = ref At(index);
        node.Due = due.UtcTicks;
        node.Item = item;
        _count++;
        Place(index, node.Due);
        return new TimerHandle(index, node.Generation);
    }

    /// <summary>Cancels a pending timer in O(1); false when the handle names no pending timer (expired, cancelled, or default).</summary>
    public bool Cancel(TimerHandle handle)
    {
        var index = handle.Index;
        if (handle.Generation <= 0 || (uint)index >= (uint)_highWater)
        {
            return false;
        }

        ref var node = ref At(index);
        if (node.Generation != handle.Generation)
        {
            return false;
        }

        Unlink(index);
        Free(index);
        _count--;
        return true;
    }

    /// <summary>
    /// Moves the wheel to <paramref name="now"/> and appends to <paramref name="expired"/>, in due order, every pending
    /// timer due at or before <paramref name="now"/>; each is handed out once and never before its due time. Timers of
    /// higher levels cascade down as their buckets come round. A <paramref name="now"/> before the wheel's time (a wall
    /// clock stepping back) does not move the wheel back; it only hands out what is due by then.
    /// </summary>
    /// <returns>The number of timers appended.</returns>
    public int Advance(DateTimeOffset now, List<T> expired)
    {
        ArgumentNullException.ThrowIfNull(expired);
        var time = now.UtcTicks;

        // Every bucket in the heap starts after the wheel's time, so only buckets that start by `time` are touched:
        // each is flushed into the ready list (level 0) or into lower levels (cascade), in start order.
        while (_heapCount > 0)
        {
            var bucket = _heap[0];
            ref var sentinel = ref At(bucket);
            var start = sentinel.Due;
            if (start > time)
            {
                break;
            }

            HeapPop();
            sentinel.Generation = NotQueued;
            var node = sentinel.Next;
            if (node == bucket)
            {
                continue;
            }

            BucketsFlushed++;
            AdvanceClock(start);

            // Detach the chain first: placing its timers relinks them, and none can land back in this bucket because the
            // bucket's slot is now the current one of its level.
            sentinel.Next = bucket;
            sentinel.Prev = bucket;
            while (node != bucket)
            {
                ref var timer = ref At(node);
                var next = timer.Next;
                Place(node, timer.Due);
                node = next;
            }
        }

        AdvanceClock(time);
        return ExpireReady(time, expired);
    }

    private int ExpireReady(long time, List<T> expired)
    {
        if (At(Ready).Next == Ready || _readyMin > time)
        {
            return 0;
        }

        var first = expired.Count;
        var taken = 0;
        var sorted = true;
        var last = long.MinValue;
        var remainingMin = long.MaxValue;
        var index = At(Ready).Next;
        while (index != Ready)
        {
            ref var node = ref At(index);
            var next = node.Next;
            var due = node.Due;
            if (due <= time)
            {
                if (taken == _expiredDues.Length)
                {
                    Array.Resize(ref _expiredDues, taken * 2);
                }

                _expiredDues[taken++] = due;
                sorted &= due >= last;
                last = due;
                expired.Add(node.Item);
                Unlink(index);
                Free(index);
            }
            else if (due < remainingMin)
            {
                remainingMin = due;
            }

            index = next;
        }

        _readyMin = remainingMin;
        _count -= taken;

        // Buckets flush in time order, so the batch is usually sorted already; within a tick, and for timers scheduled
        // in the past, it need not be.
        if (!sorted)
        {
            _expiredDues.AsSpan(0, taken).Sort(CollectionsMarshal.AsSpan(expired).Slice(first, taken));
        }

        return taken;
    }

    private void Place(int index, long due)
    {
        if (due < _current[0] + _tickSize[0])
        {
            LinkLast(Ready, index);
            if (due < _readyMin)
            {
                _readyMin = due;
            }

            return;
        }

        // A timer reaches level L only if it is due at or after the end of level L-1's span, which is at least one
        // bucket of level L past that level's current bucket: so it never lands in a current bucket, and within a
        // level's span each slot holds a single bucket start.
        for (var level = 0; ; level++)
        {
            if (level == _levels)
            {
                CreateLevel();
            }

            if (due - _current[level] < _span[level])
            {
                var size = _tickSize[level];
                var bucket = _base[level] + (int)(due / size % _slots);
                LinkLast(bucket, index);
                ref var sentinel = ref At(bucket);
                if (sentinel.Generation == NotQueued)
                {
                    sentinel.Due = due - (due % size);
                    sentinel.Generation = Queued;
                    HeapPush(bucket);
                }

                return;
            }
        }
    }

    private void AdvanceClock(long time)
    {
        if (time <= _time)
        {
            return;
        }

        _time = time;
        for (var level = 0; level < _levels; level++)
        {
            _current[level] = time - (time % _tickSize[level]);
        }
    }

    private void CreateLevel()
    {
        var level = _levels;
        var first = AllocateFresh();
        InitSentinel(first);
        for (var slot = 1; slot < _slots; slot++)
        {
            InitSentinel(AllocateFresh());
        }

        _base[level] = first;
        _current[level] = _time - (_time % _tickSize[level]);
        _levels++;
    }

    private void InitSentinel(int index)
    {
        ref var sentinel = ref At(index);
        sentinel.Next = index;
        sentinel.Prev = index;
        sentinel.Generation = NotQueued;
    }

    private void LinkLast(int list, int index)
    {
        ref var head = ref At(list);
        var tail = head.Prev;
        ref var node = ref At(index);
        node.Prev = tail;
        node.Next = list;
        At(tail).Next = index;
        head.Prev = index;
    }

    private void Unlink(int index)
    {
        ref var node = ref At(index);
        At(node.Prev).Next = node.Next;
        At(node.Next).Prev = node.Prev;
    }

    private int AllocateNode()
    {
        if (_free >= 0)
        {
            var index = _free;
            _free = At(index).Next;
            return index;
        }

        var fresh = AllocateFresh();
        At(fresh).Generation = 1;
        return fresh;
    }

    // Sentinels take fresh nodes so that a level's sentinels are consecutive (base + slot).
    private int AllocateFresh()
    {
        var index = _highWater;
        var chunk = index >> ChunkShift;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _chunks[chunk] ??= new Node[ChunkSize];
        _highWater++;
        return index;
    }

    private void Free(int index)
    {
        ref var node = ref At(index);
        if (ItemHasReferences)
        {
            node.Item = default!;
        }

        // A new generation makes every handle to the old timer stale; skipping non-positive values keeps sentinels unnamable.
        node.Generation = node.Generation == int.MaxValue ? 1 : node.Generation + 1;
        node.Next = _free;
        _free = index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Node At(int index) => ref _chunks[index >> ChunkShift][index & ChunkMask];

    private void HeapPush(int bucket)
    {
        if (_heapCount == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var key = At(bucket).Due;
        var i = _heapCount++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (At(_heap[parent]).Due <= key)
            {
                break;
            }

            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = bucket;
    }

    private void HeapPop()
    {
        var last = _heap[--_heapCount];
        if (_heapCount == 0)
        {
            return;
        }

        var key = At(last).Due;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= _heapCount)
            {
                break;
            }

            if (child + 1 < _heapCount && At(_heap[child + 1]).Due < At(_heap[child]).Due)
            {
                child++;
            }

            if (At(_heap[child]).Due >= key)
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = last;
    }

    // For a timer: its due time in UTC ticks. For a bucket sentinel: the bucket's start, its key in the heap.
    private struct Node
    {
        public long Due;
        public T Item;
        public int Next;
        public int Prev;
        public int Generation;
    }
}
