using Vanus.Runtime.Broker;

namespace Vanus.Operators.Delivery;

/// <summary>
/// The dispatch state of one trigger (one eventlog of one subscription): which items to attempt when, under the policy's
/// in-flight limit, rate limit, backoff, attempt limit and per-key order. Pure and single-threaded: the caller supplies the
/// time and does the I/O. Items are identified by a <see cref="long"/> id (the eventlog offset; negative for resent dead letters).
/// </summary>
/// <remarks>
/// Every operation is O(log n) amortised. Structures drop cancelled entries lazily and are rebuilt once stale entries
/// outnumber the tracked items, so memory stays proportional to what is tracked.
/// </remarks>
public sealed class DeliveryScheduler
{
    // Below this, stale entries are left for the lazy pops; a rebuild would cost more than it frees.
    private const int CompactionSlack = 1024;

    // Token arithmetic in doubles: a wakeup computed to the tick must count as a whole token.
    private const double TokenEpsilon = 1e-9;

    private const int MaxSpareKeyStates = 1024;

    private readonly Dictionary<long, Item> _items = [];

    // First attempts whose key is free, in Offer order: sorted by sequence because Offer appends.
    private readonly Queue<Item> _fresh = new();

    // First attempts released by their key's head finishing: older than much of _fresh, so merged with it by sequence.
    private readonly PriorityQueue<Item, long> _released = new();

    private readonly PriorityQueue<Item, RetryOrder> _retries = new();

    // Ids >= 0 of items on their first attempt; entries of items that moved on are popped lazily.
    private readonly PriorityQueue<Item, long> _firstAttempts = new();

    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Stack<KeyState> _spareKeys = new();

    private DeliveryPolicy _policy;
    private long _sequence;
    private int _inFlight;
    private int _retriesWaiting;
    private int _firstAttemptsLive;
    private int _keyQueueEntries;
    private double _tokens;
    private DateTimeOffset? _refilledAt;

    /// <summary>Creates an empty scheduler that follows <paramref name="policy"/>.</summary>
    public DeliveryScheduler(DeliveryPolicy policy)
    {
        _policy = Checked(policy);
        _tokens = Capacity(policy);
    }

    private enum ItemState
    {
        Queued,
        KeyWaiting,
        InFlight,
        Retrying,
        Removed,
    }

    /// <summary>The policy in force.</summary>
    public DeliveryPolicy Policy => _policy;

    /// <summary>Items taken and not yet completed.</summary>
    public int InFlight => _inFlight;

    /// <summary>Tracked items not in flight: queued, waiting for their key or waiting for a retry.</summary>
    public int Pending => _items.Count - _inFlight;

    /// <summary>Every tracked item.</summary>
    public int Count => _items.Count;

    /// <summary>Items past their first attempt that wait (for their due time or behind their key) rather than being in flight.</summary>
    public int RetriesWaiting => _retriesWaiting;

    /// <summary>The smallest id (>= 0) of a tracked item still on its first attempt, queued or in flight; the trigger may commit below it.</summary>
    public long? LowestFirstAttempt
    {
        get
        {
            while (_firstAttempts.TryPeek(out var item, out _))
            {
                if (IsFirstAttempt(item))
                {
                    return item.Id;
                }

                _firstAttempts.Dequeue();
            }

            return null;
        }
    }

    /// <summary>
    /// Every tracked item past its first attempt (id, attempt, due time), waiting or in flight, in id order: what a snapshot
    /// must keep, since such items may lie below the committed offset. An in-flight one is restored as due at once.
    /// </summary>
    public IEnumerable<(long Id, int Attempt, DateTimeOffset Due)> WaitingRetries =>
        _items.Values.Where(static i => i.Attempt > 1).OrderBy(static i => i.Id).Select(static i => (i.Id, i.Attempt, i.Due));

    /// <summary>True when an item with this id is tracked.</summary>
    public bool Contains(long id) => _items.ContainsKey(id);

    /// <summary>
    /// Tracks a new item (attempt 1, <paramref name="notBefore"/> = store time + the subscription's delay) or a retry restored
    /// after a restart (attempt > 1, <paramref name="notBefore"/> = its persisted due time). With ordered delivery, a key's items
    /// are attempted in the order they are offered, so restored retries must be offered in offset order with the events around them.
    /// </summary>
    public void Offer(long id, string? key, DateTimeOffset notBefore, int attempt = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (_items.TryGetValue(id, out var existing))
        {
            throw new ArgumentException($"Item {id} is already tracked ({Describe(existing)}); an id may be offered again only once it is done or cancelled.", nameof(id));
        }

        var item = new Item(id, key, _sequence++) { Attempt = attempt, Due = notBefore };
        _items.Add(id, item);
        if (IsFirstAttempt(item))
        {
            _firstAttempts.Enqueue(item, id);
            _firstAttemptsLive++;
        }

        if (attempt > 1)
        {
            _retriesWaiting++;
        }

        if (_policy.Ordered && key is not null)
        {
            if (_keys.TryGetValue(key, out var state))
            {
                // The key has an outstanding item: this one waits its turn, whatever its due time.
                item.State = ItemState.KeyWaiting;
                state.Waiting.Enqueue(item);
                _keyQueueEntries++;
                return;
            }

            state = RentKeyState();
            state.Outstanding = 1;
            _keys.Add(key, state);
        }

        if (attempt > 1)
        {
            EnqueueRetry(item);
        }
        else
        {
            item.State = ItemState.Queued;
            _fresh.Enqueue(item);
        }
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the items to attempt now and marks them in flight: due retries first (by due time),
    /// then new items in Offer order, within the in-flight limit, the rate limit, each item's due time and, when ordered, one
    /// outstanding item per key. Returns how many it appended.
    /// </summary>
    public int TakeReady(DateTimeOffset now, List<DeliveryTicket> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Refill(now);
        var rate = _policy.RateLimit;
        var taken = 0;
        while (_inFlight < _policy.Inflight && (rate <= 0 || _tokens >= 1 - TokenEpsilon))
        {
            Item item;
            if (PeekRetry() is { } retry && retry.Due <= now)
            {
                item = _retries.Dequeue();
                _retriesWaiting--;
            }
            else
            {
                var fresh = PeekFresh();
                var released = PeekReleased();
                var freshReady = fresh is not null && fresh.Due <= now;
                var releasedReady = released is not null && released.Due <= now;
                if (freshReady && (!releasedReady || fresh!.Sequence < released!.Sequence))
                {
                    item = _fresh.Dequeue();
                }
                else if (releasedReady)
                {
                    item = _released.Dequeue();
                }
                else
                {
                    break;
                }
            }

            item.State = ItemState.InFlight;
            _inFlight++;
            if (rate > 0)
            {
                _tokens -= 1;
            }

            into.Add(new DeliveryTicket(item.Id, item.Attempt));
            taken++;
        }

        return taken;
    }

    /// <summary>
    /// Records the outcome of an in-flight item's attempt and decides what follows: done, a retry after the policy's backoff,
    /// or, once attempts run out or the sink refuses, a dead letter (or a drop when dead-lettering is off).
    /// </summary>
    public DeliveryDecision Complete(long id, DeliveryOutcome outcome, DateTimeOffset now)
    {
        if (outcome.Kind is not (DeliveryOutcomeKind.Delivered or DeliveryOutcomeKind.Retryable or DeliveryOutcomeKind.Refused))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown delivery outcome kind.");
        }

        if (!_items.TryGetValue(id, out var item))
        {
            throw new InvalidOperationException($"Item {id} is not tracked: it was never offered, or it is done or cancelled already.");
        }

        if (item.State != ItemState.InFlight)
        {
            throw new InvalidOperationException($"Item {id} is not in flight ({Describe(item)}); only an item that TakeReady handed out can be completed.");
        }

        _inFlight--;
        switch (outcome.Kind)
        {
            case DeliveryOutcomeKind.Delivered:
                Forget(item);
                return new DeliveryDecision(DeliveryDecisionKind.Done, now, item.Attempt, null);
            case DeliveryOutcomeKind.Retryable when item.Attempt < _policy.MaxAttempts:
                if (item.Attempt == 1 && item.Id >= 0)
                {
                    _firstAttemptsLive--;
                }

                item.Attempt++;
                item.Due = SaturatingAdd(now, _policy.BackoffBefore(item.Attempt));
                _retriesWaiting++;
                EnqueueRetry(item);
                CompactFirstAttemptsIfStale();
                return new DeliveryDecision(DeliveryDecisionKind.Retry, item.Due, item.Attempt, outcome.Error, null, outcome.StatusCode);
            default:
                Forget(item);
                var kind = _policy.DeadLetter ? DeliveryDecisionKind.DeadLetter : DeliveryDecisionKind.Drop;
                var reason = outcome.Kind == DeliveryOutcomeKind.Refused ? DeliveryDecision.SinkRefused : DeliveryDecision.MaxAttemptsExhausted;
                return new DeliveryDecision(kind, now, item.Attempt, outcome.Error, reason, outcome.StatusCode);
        }
    }

    /// <summary>
    /// The earliest time at which <see cref="TakeReady"/> could hand out an item it cannot hand out now because of a due time,
    /// a delay or the rate limit (<paramref name="now"/> when it could hand one out at once); null when nothing waits on time,
    /// including when the in-flight limit is reached (<see cref="Complete"/> frees a slot, not time).
    /// </summary>
    public DateTimeOffset? NextWakeup(DateTimeOffset now)
    {
        if (_inFlight >= _policy.Inflight)
        {
            return null;
        }

        DateTimeOffset? earliest = null;
        foreach (var candidate in (ReadOnlySpan<Item?>)[PeekRetry(), PeekFresh(), PeekReleased()])
        {
            if (candidate is not null && (earliest is null || candidate.Due < earliest))
            {
                earliest = candidate.Due;
            }
        }

        if (earliest is not { } wake)
        {
            return null;
        }

        if (wake < now)
        {
            wake = now;
        }

        var rate = _policy.RateLimit;
        if (rate > 0)
        {
            var from = _refilledAt is { } last && last > now ? last : now;
            var tokens = TokensAt(now);
            if (tokens < 1 - TokenEpsilon)
            {
                var ticks = (long)Math.Ceiling((1 - tokens) / rate * TimeSpan.TicksPerSecond);
                var tokenTime = SaturatingAdd(from, TimeSpan.FromTicks(ticks));
                if (tokenTime > wake)
                {
                    wake = tokenTime;
                }
            }
        }

        return wake;
    }

    /// <summary>Forgets an item, in flight or waiting (a reset); a later item of its key may then go. False when it is not tracked.</summary>
    public bool Cancel(long id)
    {
        if (!_items.Remove(id, out var item))
        {
            return false;
        }

        var state = item.State;
        item.State = ItemState.Removed;
        if (IsFirstAttemptId(item))
        {
            _firstAttemptsLive--;
        }

        if (state == ItemState.InFlight)
        {
            _inFlight--;
        }
        else if (item.Attempt > 1)
        {
            _retriesWaiting--;
        }

        if (state != ItemState.KeyWaiting)
        {
            ReleaseKey(item);
        }

        CompactIfStale();
        CompactFirstAttemptsIfStale();
        return true;
    }

    /// <summary>Forgets every item. The rate limit's bucket is kept.</summary>
    public void Clear()
    {
        foreach (var item in _items.Values)
        {
            item.State = ItemState.Removed;
        }

        _items.Clear();
        _fresh.Clear();
        _released.Clear();
        _retries.Clear();
        _firstAttempts.Clear();
        _keys.Clear();
        _inFlight = 0;
        _retriesWaiting = 0;
        _firstAttemptsLive = 0;
        _keyQueueEntries = 0;
    }

    /// <summary>
    /// Applies a changed policy (a PUT of the subscription) to later decisions. Turning ordering off releases the items waiting
    /// behind their keys; turning it on makes each key's later items wait for every item of that key already tracked.
    /// </summary>
    public void UpdatePolicy(DeliveryPolicy policy)
    {
        var old = _policy;
        _policy = Checked(policy);

        if (old.Ordered && !policy.Ordered)
        {
            foreach (var state in _keys.Values)
            {
                while (state.Waiting.TryDequeue(out var item))
                {
                    if (item.State == ItemState.KeyWaiting)
                    {
                        Release(item);
                    }
                }
            }

            _keys.Clear();
            _keyQueueEntries = 0;
        }
        else if (!old.Ordered && policy.Ordered)
        {
            // Items already tracked may be out together; from now on a key's new items wait until all of them finish.
            foreach (var item in _items.Values)
            {
                if (item.Key is { } key)
                {
                    if (!_keys.TryGetValue(key, out var state))
                    {
                        state = RentKeyState();
                        _keys.Add(key, state);
                    }

                    state.Outstanding++;
                }
            }
        }

        if (!policy.RateLimit.Equals(old.RateLimit))
        {
            _tokens = old.RateLimit <= 0 ? Capacity(policy) : Math.Min(_tokens, Capacity(policy));
        }
    }

    private static DeliveryPolicy Checked(DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Check() is { } problem
            ? throw new ArgumentException($"Invalid delivery policy: delivery.{problem.Field} {problem.Reason}.", nameof(policy))
            : policy;
    }

    private static double Capacity(DeliveryPolicy policy) => Math.Max(1, policy.RateLimit);

    private static bool IsFirstAttempt(Item item) => item.State != ItemState.Removed && IsFirstAttemptId(item);

    private static bool IsFirstAttemptId(Item item) => item.Attempt == 1 && item.Id >= 0;

    private static DateTimeOffset SaturatingAdd(DateTimeOffset time, TimeSpan span) =>
        span > DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    private static string Describe(Item item) => item.State switch
    {
        ItemState.InFlight => $"in flight, attempt {item.Attempt}",
        ItemState.Retrying => $"waiting for attempt {item.Attempt} at {item.Due:O}",
        ItemState.KeyWaiting => $"waiting behind an earlier item with partitionkey '{item.Key}'",
        _ => item.Due > DateTimeOffset.MinValue ? $"queued for its first attempt, not before {item.Due:O}" : "queued for its first attempt",
    };

    private double TokensAt(DateTimeOffset now)
    {
        if (_refilledAt is not { } last || now <= last)
        {
            return _tokens;
        }

        return Math.Min(Capacity(_policy), _tokens + ((now - last).Ticks / (double)TimeSpan.TicksPerSecond * _policy.RateLimit));
    }

    private void Refill(DateTimeOffset now)
    {
        if (_policy.RateLimit <= 0)
        {
            return;
        }

        _tokens = TokensAt(now);
        if (_refilledAt is not { } last || now > last)
        {
            _refilledAt = now;
        }
    }

    private Item? PeekRetry()
    {
        while (_retries.TryPeek(out var item, out _))
        {
            if (item.State == ItemState.Retrying)
            {
                return item;
            }

            _retries.Dequeue();
        }

        return null;
    }

    private Item? PeekFresh()
    {
        while (_fresh.TryPeek(out var item))
        {
            if (item.State == ItemState.Queued)
            {
                return item;
            }

            _fresh.Dequeue();
        }

        return null;
    }

    private Item? PeekReleased()
    {
        while (_released.TryPeek(out var item, out _))
        {
            if (item.State == ItemState.Queued)
            {
                return item;
            }

            _released.Dequeue();
        }

        return null;
    }

    private void EnqueueRetry(Item item)
    {
        item.State = ItemState.Retrying;
        _retries.Enqueue(item, new RetryOrder(item.Due.UtcTicks, item.Sequence));
    }

    // An item leaves the key queue: restored retries keep their due time, first attempts go in Offer order.
    private void Release(Item item)
    {
        if (item.Attempt > 1)
        {
            EnqueueRetry(item);
        }
        else
        {
            item.State = ItemState.Queued;
            _released.Enqueue(item, item.Sequence);
        }
    }

    private void Forget(Item item)
    {
        _items.Remove(item.Id);
        if (IsFirstAttemptId(item))
        {
            _firstAttemptsLive--;
        }

        item.State = ItemState.Removed;
        ReleaseKey(item);
        CompactFirstAttemptsIfStale();
    }

    // Called when an outstanding item (queued, in flight or retrying) of a key leaves: the key's next waiting item goes.
    private void ReleaseKey(Item item)
    {
        if (!_policy.Ordered || item.Key is not { } key || !_keys.TryGetValue(key, out var state))
        {
            return;
        }

        if (--state.Outstanding > 0)
        {
            return;
        }

        while (state.Waiting.TryDequeue(out var next))
        {
            _keyQueueEntries--;
            if (next.State == ItemState.KeyWaiting)
            {
                state.Outstanding = 1;
                Release(next);
                return;
            }
        }

        _keys.Remove(key);
        if (_spareKeys.Count < MaxSpareKeyStates)
        {
            _spareKeys.Push(state);
        }
    }

    private KeyState RentKeyState()
    {
        if (_spareKeys.TryPop(out var state))
        {
            state.Outstanding = 0;
            return state;
        }

        return new KeyState();
    }

    private void CompactFirstAttemptsIfStale()
    {
        if (_firstAttempts.Count - _firstAttemptsLive <= Math.Max(CompactionSlack, _items.Count))
        {
            return;
        }

        _firstAttempts.Clear();
        _firstAttempts.EnqueueRange(_items.Values.Where(IsFirstAttempt).Select(static i => (i, i.Id)));
    }

    // Cancelled items leave entries behind in the queues; rebuild them from the live items once those entries dominate.
    private void CompactIfStale()
    {
        var entries = (long)_fresh.Count + _released.Count + _retries.Count + _keyQueueEntries;
        if (entries - Pending <= Math.Max(CompactionSlack, _items.Count))
        {
            return;
        }

        var live = _items.Values.Where(static i => i.State != ItemState.InFlight).OrderBy(static i => i.Sequence).ToList();
        _fresh.Clear();
        _released.Clear();
        _retries.Clear();
        _keyQueueEntries = 0;
        foreach (var state in _keys.Values)
        {
            state.Waiting.Clear();
        }

        foreach (var item in live)
        {
            switch (item.State)
            {
                case ItemState.Queued:
                    _fresh.Enqueue(item);
                    break;
                case ItemState.Retrying:
                    EnqueueRetry(item);
                    break;
                case ItemState.KeyWaiting:
                    _keys[item.Key!].Waiting.Enqueue(item);
                    _keyQueueEntries++;
                    break;
            }
        }
    }

    private sealed class Item(long id, string? key, long sequence)
    {
        public long Id { get; } = id;

        public string? Key { get; } = key;

        public long Sequence { get; } = sequence;

        public int Attempt { get; set; }

        // notBefore for a first attempt, the due time for a retry.
        public DateTimeOffset Due { get; set; }

        public ItemState State { get; set; }
    }

    private sealed class KeyState
    {
        // Items of the key that are queued, in flight or retrying: one when ordered, more just after ordering was turned on.
        public int Outstanding { get; set; }

        public Queue<Item> Waiting { get; } = new();
    }

    private readonly record struct RetryOrder(long DueTicks, long Sequence) : IComparable<RetryOrder>
    {
        public int CompareTo(RetryOrder other)
        {
            var byDue = DueTicks.CompareTo(other.DueTicks);
            return byDue != 0 ? byDue : Sequence.CompareTo(other.Sequence);
        }
    }
}
