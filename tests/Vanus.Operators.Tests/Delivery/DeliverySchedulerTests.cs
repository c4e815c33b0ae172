using Vanus.Operators.Delivery;
using Vanus.Runtime.Broker;

namespace Vanus.Operators.Tests.Delivery;

/// <summary>The dispatch state of a trigger on a simulated clock: backoff, attempts, dead letters, limits, delays, order and bookkeeping.</summary>
public sealed class DeliverySchedulerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private static readonly DeliveryOutcome Fail = DeliveryOutcome.Retry("sink answered 503 Service Unavailable", 503);

    private static List<DeliveryTicket> Take(DeliveryScheduler scheduler, DateTimeOffset now)
    {
        var into = new List<DeliveryTicket>();
        var count = scheduler.TakeReady(now, into);
        Assert.Equal(into.Count, count);
        return into;
    }

    private static long[] TakeIds(DeliveryScheduler scheduler, DateTimeOffset now) => [.. Take(scheduler, now).Select(t => t.Id)];

    [Fact]
    public void Default_backoff_is_1s_5s_10s_30s_60s_doubling_to_960s_then_3600s_and_32_attempts_in_all()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, null, T0);
        var now = T0;
        var waits = new List<TimeSpan>();
        for (var attempt = 1; ; attempt++)
        {
            var ticket = Assert.Single(Take(scheduler, now));
            Assert.Equal(new DeliveryTicket(0, attempt), ticket);
            var decision = scheduler.Complete(0, Fail, now);
            if (decision.Kind != DeliveryDecisionKind.Retry)
            {
                Assert.Equal(DeliveryDecisionKind.DeadLetter, decision.Kind);
                Assert.Equal(32, decision.Attempt);
                Assert.Equal(DeliveryDecision.MaxAttemptsExhausted, decision.Reason);
                Assert.Equal(Fail.Error, decision.Error);
                Assert.Equal(503, decision.StatusCode);
                Assert.Equal(32, attempt);
                break;
            }

            Assert.Equal(attempt + 1, decision.Attempt);
            waits.Add(decision.Due - now);

            // Not a tick early: the retry waits for its due time, and the wakeup says exactly when.
            Assert.Empty(Take(scheduler, decision.Due - TimeSpan.FromTicks(1)));
            Assert.Equal(decision.Due, scheduler.NextWakeup(decision.Due - TimeSpan.FromTicks(1)));
            now = decision.Due;
        }

        var seconds = waits.Select(w => (int)w.TotalSeconds).ToArray();
        Assert.Equal(31, seconds.Length);
        Assert.Equal([1, 5, 10, 30, 60, 120, 240, 480, 960], seconds[..9]);
        Assert.All(seconds[9..], s => Assert.Equal(3600, s));
        Assert.Equal(0, scheduler.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void MaxAttempts_counts_the_first_attempt(int maxAttempts)
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { MaxAttempts = maxAttempts, Backoff = [TimeSpan.FromSeconds(1)] });
        scheduler.Offer(7, null, T0);
        var now = T0;
        var attempts = 0;
        DeliveryDecision decision;
        do
        {
            Assert.Single(Take(scheduler, now));
            attempts++;
            decision = scheduler.Complete(7, DeliveryOutcome.Retry("connection refused"), now);
            now = decision.Due;
        }
        while (decision.Kind == DeliveryDecisionKind.Retry);

        Assert.Equal(maxAttempts, attempts);
        Assert.Equal(new DeliveryDecision(DeliveryDecisionKind.DeadLetter, now, maxAttempts, "connection refused", DeliveryDecision.MaxAttemptsExhausted), decision);
        Assert.False(scheduler.Contains(7));
    }

    [Fact]
    public void Refused_goes_to_the_dead_letter_bus_at_once()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(3, "k", T0);
        Take(scheduler, T0);
        var decision = scheduler.Complete(3, DeliveryOutcome.Refuse("sink answered 400 Bad Request: no", 400), T0.AddSeconds(1));
        Assert.Equal(new DeliveryDecision(DeliveryDecisionKind.DeadLetter, T0.AddSeconds(1), 1, "sink answered 400 Bad Request: no", DeliveryDecision.SinkRefused, 400), decision);
        Assert.Equal(0, scheduler.Count);
        Assert.Null(scheduler.NextWakeup(T0));
    }

    [Fact]
    public void Refused_on_a_retry_reports_the_attempts_made()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(3, null, T0);
        Take(scheduler, T0);
        var retry = scheduler.Complete(3, Fail, T0);
        Take(scheduler, retry.Due);
        var decision = scheduler.Complete(3, DeliveryOutcome.Refuse("sink answered 410 Gone", 410), retry.Due);
        Assert.Equal(DeliveryDecisionKind.DeadLetter, decision.Kind);
        Assert.Equal(2, decision.Attempt);
        Assert.Equal(DeliveryDecision.SinkRefused, decision.Reason);
    }

    [Fact]
    public void Without_dead_lettering_exhausted_and_refused_items_are_dropped()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { DeadLetter = false, MaxAttempts = 1 });
        scheduler.Offer(1, null, T0);
        scheduler.Offer(2, null, T0);
        Assert.Equal([1L, 2L], TakeIds(scheduler, T0));
        var exhausted = scheduler.Complete(1, Fail, T0);
        var refused = scheduler.Complete(2, DeliveryOutcome.Refuse("sink answered 404 Not Found", 404), T0);
        Assert.Equal(DeliveryDecisionKind.Drop, exhausted.Kind);
        Assert.Equal(DeliveryDecision.MaxAttemptsExhausted, exhausted.Reason);
        Assert.Equal(DeliveryDecisionKind.Drop, refused.Kind);
        Assert.Equal(DeliveryDecision.SinkRefused, refused.Reason);
        Assert.Equal(0, scheduler.Count);
    }

    [Fact]
    public void Delivered_is_done_and_reports_the_attempt_that_succeeded()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, null, T0);
        Take(scheduler, T0);
        var retry = scheduler.Complete(0, Fail, T0);
        Take(scheduler, retry.Due);
        Assert.Equal(new DeliveryDecision(DeliveryDecisionKind.Done, retry.Due, 2, null), scheduler.Complete(0, DeliveryOutcome.Delivered, retry.Due));
    }

    [Fact]
    public void Inflight_limit_caps_outstanding_attempts_and_Complete_frees_a_slot()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Inflight = 3 });
        for (var i = 0; i < 10; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        Assert.Equal([0L, 1L, 2L], TakeIds(scheduler, T0));
        Assert.Empty(Take(scheduler, T0.AddHours(1)));
        Assert.Equal(3, scheduler.InFlight);
        Assert.Equal(7, scheduler.Pending);
        Assert.Equal(10, scheduler.Count);

        // Waiting on the limit is woken by Complete, not by time.
        Assert.Null(scheduler.NextWakeup(T0));
        scheduler.Complete(1, DeliveryOutcome.Delivered, T0);
        Assert.Equal(T0, scheduler.NextWakeup(T0));
        Assert.Equal([3L], TakeIds(scheduler, T0));

        // A retry holds its slot only while in flight.
        var retry = scheduler.Complete(0, Fail, T0);
        Assert.Equal([4L], TakeIds(scheduler, T0));
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        scheduler.Complete(3, DeliveryOutcome.Delivered, T0);
        Assert.Equal([0L, 5L], TakeIds(scheduler, retry.Due));
    }

    [Fact]
    public void Rate_limit_of_10_per_second_gives_10_attempts_per_simulated_second()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { RateLimit = 10 });
        for (var i = 0; i < 100; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        var perSecond = new List<int>();
        for (var second = 0; second < 5; second++)
        {
            var now = T0.AddSeconds(second);
            var taken = Take(scheduler, now);
            perSecond.Add(taken.Count);
            foreach (var t in taken)
            {
                scheduler.Complete(t.Id, DeliveryOutcome.Delivered, now);
            }

            // The bucket is empty: the next token is due a tenth of a second later, not before.
            Assert.Equal(now.AddMilliseconds(100), scheduler.NextWakeup(now));
            Assert.Empty(Take(scheduler, now.AddMilliseconds(99)));
        }

        Assert.Equal([10, 10, 10, 10, 10], perSecond);
    }

    [Fact]
    public void Rate_limit_paces_at_the_wakeup_times_it_announces()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { RateLimit = 3 });
        for (var i = 0; i < 30; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        var now = T0;
        var taken = 0;
        var wakeups = 0;
        while (taken < 30)
        {
            foreach (var t in Take(scheduler, now))
            {
                scheduler.Complete(t.Id, DeliveryOutcome.Delivered, now);
                taken++;
            }

            if (scheduler.NextWakeup(now) is { } next)
            {
                Assert.True(next > now || scheduler.Count == 0);
                now = next;
                wakeups++;
            }
        }

        // 3 at once from the full bucket, then one per third of a second: 27 more take 9 s.
        Assert.Equal(27, wakeups);
        Assert.InRange(now - T0, TimeSpan.FromSeconds(9) - TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(9) + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Rate_limit_below_one_per_second_allows_one_attempt_at_a_time()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { RateLimit = 0.5 });
        for (var i = 0; i < 3; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        Assert.Equal([0L], TakeIds(scheduler, T0));
        Assert.Equal(T0.AddSeconds(2), scheduler.NextWakeup(T0));
        Assert.Empty(Take(scheduler, T0.AddSeconds(1.9)));
        Assert.Equal([1L], TakeIds(scheduler, T0.AddSeconds(2)));
    }

    [Fact]
    public void NotBefore_holds_an_item_until_its_store_time_plus_delay()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        var delay = TimeSpan.FromSeconds(30);
        scheduler.Offer(0, null, T0 + delay);
        scheduler.Offer(1, null, T0.AddSeconds(1) + delay);
        Assert.Empty(Take(scheduler, T0));
        Assert.Equal(T0 + delay, scheduler.NextWakeup(T0));
        Assert.Equal([0L], TakeIds(scheduler, T0 + delay));
        Assert.Equal(T0.AddSeconds(1) + delay, scheduler.NextWakeup(T0 + delay));
        Assert.Equal([1L], TakeIds(scheduler, T0.AddSeconds(31)));
        Assert.Null(scheduler.NextWakeup(T0.AddSeconds(31)));
    }

    [Fact]
    public void NextWakeup_is_now_when_an_item_is_ready_and_null_when_nothing_is_tracked()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        Assert.Null(scheduler.NextWakeup(T0));
        scheduler.Offer(0, null, T0.AddSeconds(-5));
        Assert.Equal(T0, scheduler.NextWakeup(T0));
        Take(scheduler, T0);
        Assert.Null(scheduler.NextWakeup(T0));
    }

    [Fact]
    public void Due_retries_go_before_new_items_earliest_due_first()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Backoff = [TimeSpan.FromSeconds(10)] });
        for (var i = 0; i < 3; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        Take(scheduler, T0);
        scheduler.Complete(1, Fail, T0);
        scheduler.Complete(0, Fail, T0.AddSeconds(1));
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        scheduler.Offer(3, null, T0);
        scheduler.Offer(4, null, T0);
        Assert.Equal(2, scheduler.RetriesWaiting);
        Assert.Equal([3L, 4L], TakeIds(scheduler, T0.AddSeconds(5)));
        scheduler.Offer(5, null, T0);
        Assert.Equal([1L, 0L, 5L], TakeIds(scheduler, T0.AddSeconds(11)));
        Assert.Equal(0, scheduler.RetriesWaiting);
    }

    [Fact]
    public void Ordered_retry_holds_later_items_of_its_key_while_other_keys_and_null_keys_flow()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true, Backoff = [TimeSpan.FromSeconds(10)] });
        scheduler.Offer(0, "a", T0);
        scheduler.Offer(1, "a", T0);
        scheduler.Offer(2, "b", T0);
        scheduler.Offer(3, null, T0);
        scheduler.Offer(4, "a", T0);
        scheduler.Offer(5, "b", T0);
        scheduler.Offer(6, null, T0);

        Assert.Equal([0L, 2L, 3L, 6L], TakeIds(scheduler, T0));
        var retry = scheduler.Complete(0, Fail, T0);
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        scheduler.Complete(3, DeliveryOutcome.Delivered, T0);

        // b's next goes; a's later items wait behind the retry, however long it takes.
        Assert.Equal([5L], TakeIds(scheduler, T0.AddSeconds(1)));
        Assert.Equal(3, scheduler.Pending);
        Assert.Equal(retry.Due, scheduler.NextWakeup(T0.AddSeconds(1)));
        Assert.Empty(Take(scheduler, T0.AddSeconds(9)));

        Assert.Equal([0L], TakeIds(scheduler, retry.Due));
        Assert.Empty(Take(scheduler, retry.Due));
        scheduler.Complete(0, DeliveryOutcome.Delivered, retry.Due);
        Assert.Equal([1L], TakeIds(scheduler, retry.Due));
        scheduler.Complete(1, DeliveryOutcome.Refuse("sink answered 400 Bad Request", 400), retry.Due);
        Assert.Equal([4L], TakeIds(scheduler, retry.Due));
    }

    [Fact]
    public void Ordered_key_is_released_by_a_dead_letter_a_drop_or_a_cancel()
    {
        foreach (var finish in new Action<DeliveryScheduler>[]
        {
            s => Assert.Equal(DeliveryDecisionKind.DeadLetter, s.Complete(0, DeliveryOutcome.Refuse("no"), T0).Kind),
            s => Assert.True(s.Cancel(0)),
        })
        {
            var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
            scheduler.Offer(0, "k", T0);
            scheduler.Offer(1, "k", T0);
            Assert.Equal([0L], TakeIds(scheduler, T0));
            finish(scheduler);
            Assert.Equal([1L], TakeIds(scheduler, T0));
        }

        var dropping = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true, DeadLetter = false, MaxAttempts = 1 });
        dropping.Offer(0, "k", T0);
        dropping.Offer(1, "k", T0);
        Take(dropping, T0);
        Assert.Equal(DeliveryDecisionKind.Drop, dropping.Complete(0, Fail, T0).Kind);
        Assert.Equal([1L], TakeIds(dropping, T0));
    }

    [Fact]
    public void Ordered_released_items_keep_offer_order_with_new_items()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(0, "a", T0);
        scheduler.Offer(1, "a", T0);
        scheduler.Offer(2, "b", T0);
        scheduler.Offer(3, "b", T0);
        Assert.Equal([0L, 2L], TakeIds(scheduler, T0));
        scheduler.Offer(4, "c", T0);
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        scheduler.Complete(0, DeliveryOutcome.Delivered, T0);
        Assert.Equal([1L, 3L, 4L], TakeIds(scheduler, T0));
    }

    [Fact]
    public void Unordered_same_key_items_go_together()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, "a", T0);
        scheduler.Offer(1, "a", T0);
        Assert.Equal([0L, 1L], TakeIds(scheduler, T0));
    }

    [Fact]
    public void Restored_retry_waits_for_its_persisted_due_time_and_continues_the_backoff()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(10, "k", T0.AddSeconds(30), attempt: 4);
        scheduler.Offer(11, null, T0);
        Assert.Equal(1, scheduler.RetriesWaiting);
        Assert.Equal([(10L, 4, T0.AddSeconds(30))], scheduler.WaitingRetries);
        Assert.Equal(11, scheduler.LowestFirstAttempt);

        Assert.Equal([11L], TakeIds(scheduler, T0));
        Assert.Equal(T0.AddSeconds(30), scheduler.NextWakeup(T0));
        Assert.Equal([new DeliveryTicket(10, 4)], Take(scheduler, T0.AddSeconds(30)));
        var decision = scheduler.Complete(10, Fail, T0.AddSeconds(30));
        Assert.Equal(5, decision.Attempt);
        Assert.Equal(T0.AddSeconds(60), decision.Due);
    }

    [Fact]
    public void Ordered_restored_retry_holds_its_key_like_a_live_one()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(5, "k", T0.AddSeconds(10), attempt: 2);
        scheduler.Offer(6, "k", T0);
        scheduler.Offer(7, "j", T0);
        Assert.Equal([7L], TakeIds(scheduler, T0));
        Assert.Equal([5L], TakeIds(scheduler, T0.AddSeconds(10)));
        scheduler.Complete(5, DeliveryOutcome.Delivered, T0.AddSeconds(10));
        Assert.Equal([6L], TakeIds(scheduler, T0.AddSeconds(10)));
    }

    [Fact]
    public void Ordered_restored_retry_behind_its_key_keeps_its_due_time()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(5, "k", T0);
        scheduler.Offer(6, "k", T0.AddSeconds(10), attempt: 3);
        Take(scheduler, T0);
        Assert.Equal(1, scheduler.RetriesWaiting);
        scheduler.Complete(5, DeliveryOutcome.Delivered, T0.AddSeconds(1));
        Assert.Empty(Take(scheduler, T0.AddSeconds(1)));
        Assert.Equal(T0.AddSeconds(10), scheduler.NextWakeup(T0.AddSeconds(1)));
        Assert.Equal([new DeliveryTicket(6, 3)], Take(scheduler, T0.AddSeconds(10)));
    }

    [Fact]
    public void WaitingRetries_lists_every_item_past_its_first_attempt_in_id_order_in_flight_included()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        for (var i = 0; i < 4; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        Take(scheduler, T0);
        var r3 = scheduler.Complete(3, Fail, T0);
        var r1 = scheduler.Complete(1, Fail, T0.AddSeconds(2));
        scheduler.Complete(0, DeliveryOutcome.Delivered, T0);
        Assert.Equal([(1L, 2, r1.Due), (3L, 2, r3.Due)], scheduler.WaitingRetries);
        Assert.Equal(2, scheduler.RetriesWaiting);

        Take(scheduler, r3.Due);
        Assert.Equal(1, scheduler.RetriesWaiting);
        Assert.Equal([(1L, 2, r1.Due), (3L, 2, r3.Due)], scheduler.WaitingRetries);
    }

    [Fact]
    public void LowestFirstAttempt_is_the_smallest_non_negative_id_still_on_its_first_attempt()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Inflight = 2 });
        Assert.Null(scheduler.LowestFirstAttempt);
        scheduler.Offer(-3, null, T0);
        Assert.Null(scheduler.LowestFirstAttempt);
        for (var i = 0; i < 5; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        Assert.Equal(0, scheduler.LowestFirstAttempt);
        Assert.Equal([-3L, 0L], TakeIds(scheduler, T0));
        scheduler.Complete(0, Fail, T0);
        Assert.Equal(1, scheduler.LowestFirstAttempt);
        scheduler.Complete(-3, DeliveryOutcome.Delivered, T0);
        Assert.Equal([1L, 2L], TakeIds(scheduler, T0));
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        Assert.Equal(1, scheduler.LowestFirstAttempt);
        scheduler.Complete(1, DeliveryOutcome.Refuse("no"), T0);
        Assert.Equal(3, scheduler.LowestFirstAttempt);
        Assert.True(scheduler.Cancel(3));
        Assert.Equal(4, scheduler.LowestFirstAttempt);
        scheduler.Cancel(4);

        // Only item 0 is left, retrying: nothing holds the commit back any more.
        Assert.Null(scheduler.LowestFirstAttempt);
        Assert.Equal(1, scheduler.Count);
    }

    [Fact]
    public void LowestFirstAttempt_does_not_depend_on_offer_order()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(9, null, T0);
        scheduler.Offer(4, null, T0);
        scheduler.Offer(6, null, T0);
        Assert.Equal(4, scheduler.LowestFirstAttempt);
        Take(scheduler, T0);
        scheduler.Complete(4, DeliveryOutcome.Delivered, T0);
        Assert.Equal(6, scheduler.LowestFirstAttempt);
    }

    [Fact]
    public void Cancel_forgets_an_item_in_flight_or_waiting()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Inflight = 1 });
        scheduler.Offer(0, null, T0);
        scheduler.Offer(1, null, T0);
        scheduler.Offer(2, null, T0);
        Take(scheduler, T0);
        Assert.True(scheduler.Cancel(0));
        Assert.Equal(0, scheduler.InFlight);
        Assert.False(scheduler.Cancel(0));
        Assert.True(scheduler.Cancel(1));
        Assert.Equal([2L], TakeIds(scheduler, T0));
        Assert.Equal(1, scheduler.Count);

        var ex = Assert.Throws<InvalidOperationException>(() => scheduler.Complete(0, DeliveryOutcome.Delivered, T0));
        Assert.Contains("Item 0 is not tracked", ex.Message);

        // A cancelled id may be offered again (a reset re-reads the log).
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0);
        scheduler.Offer(0, null, T0);
        Assert.Equal([0L], TakeIds(scheduler, T0));
    }

    [Fact]
    public void Cancel_of_a_waiting_retry_updates_the_counts()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, null, T0);
        Take(scheduler, T0);
        scheduler.Complete(0, Fail, T0);
        Assert.Equal(1, scheduler.RetriesWaiting);
        Assert.True(scheduler.Cancel(0));
        Assert.Equal(0, scheduler.RetriesWaiting);
        Assert.Empty(scheduler.WaitingRetries);
        Assert.Null(scheduler.NextWakeup(T0));
        Assert.Empty(Take(scheduler, T0.AddHours(2)));
    }

    [Fact]
    public void Cancel_of_an_item_waiting_behind_its_key_leaves_the_key_order_intact()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(0, "k", T0);
        scheduler.Offer(1, "k", T0);
        scheduler.Offer(2, "k", T0);
        Take(scheduler, T0);
        Assert.True(scheduler.Cancel(1));
        Assert.Empty(Take(scheduler, T0));
        scheduler.Complete(0, DeliveryOutcome.Delivered, T0);
        Assert.Equal([2L], TakeIds(scheduler, T0));
    }

    [Fact]
    public void Mass_cancel_compacts_and_keeps_the_rest_in_order()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true, Inflight = 65536, Backoff = [TimeSpan.FromSeconds(1)] });
        for (var i = 0; i < 20_000; i++)
        {
            scheduler.Offer(i, i % 7 == 0 ? null : "k" + (i % 5), T0);
        }

        // Everything taken fails once, so the survivors mix retries with first attempts.
        foreach (var id in TakeIds(scheduler, T0))
        {
            scheduler.Complete(id, Fail, T0);
        }

        for (var i = 0; i < 20_000; i++)
        {
            if (i % 10 != 3)
            {
                scheduler.Cancel(i);
            }
        }

        Assert.Equal(2000, scheduler.Count);
        Assert.Equal(0, scheduler.InFlight);

        // 3 (key k3) and 63 (no key) were taken and are retrying; 13 is the first survivor never attempted.
        Assert.Equal(13, scheduler.LowestFirstAttempt);
        var taken = new List<long>();
        var now = T0;
        while (scheduler.Count > 0)
        {
            foreach (var t in Take(scheduler, now))
            {
                taken.Add(t.Id);
                scheduler.Complete(t.Id, DeliveryOutcome.Delivered, now);
            }

            now = now.AddSeconds(1);
        }

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (i * 10L) + 3), taken.Order());
        foreach (var key in Enumerable.Range(0, 5))
        {
            var ofKey = taken.Where(id => id % 7 != 0 && id % 5 == key).ToList();
            Assert.Equal(ofKey.Order(), ofKey);
        }
    }

    [Fact]
    public void Clear_forgets_everything()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(0, "k", T0);
        scheduler.Offer(1, "k", T0);
        scheduler.Offer(2, null, T0.AddSeconds(5), attempt: 3);
        Take(scheduler, T0);
        scheduler.Clear();
        Assert.Equal(0, scheduler.Count);
        Assert.Equal(0, scheduler.InFlight);
        Assert.Equal(0, scheduler.RetriesWaiting);
        Assert.Null(scheduler.LowestFirstAttempt);
        Assert.Null(scheduler.NextWakeup(T0));
        Assert.Throws<InvalidOperationException>(() => scheduler.Complete(0, DeliveryOutcome.Delivered, T0));

        scheduler.Offer(1, "k", T0);
        Assert.Equal([1L], TakeIds(scheduler, T0));
    }

    [Fact]
    public void UpdatePolicy_applies_to_later_decisions()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, null, T0);
        scheduler.Offer(1, null, T0);
        Take(scheduler, T0);
        Assert.Equal(DeliveryDecisionKind.Retry, scheduler.Complete(0, Fail, T0).Kind);
        scheduler.UpdatePolicy(DeliveryPolicy.Default with { MaxAttempts = 1, DeadLetter = false, Inflight = 1 });
        Assert.Equal(DeliveryDecisionKind.Drop, scheduler.Complete(1, Fail, T0).Kind);
        Assert.Equal(1, scheduler.Policy.MaxAttempts);

        // Item 0 is at attempt 2, past the new maximum: its next failure is its last.
        scheduler.Offer(2, null, T0);
        Assert.Equal([new DeliveryTicket(0, 2)], Take(scheduler, T0.AddSeconds(1)));
        Assert.Empty(Take(scheduler, T0.AddSeconds(1)));
        Assert.Equal(DeliveryDecisionKind.Drop, scheduler.Complete(0, Fail, T0.AddSeconds(1)).Kind);
    }

    [Fact]
    public void UpdatePolicy_turning_ordering_off_releases_waiting_items_and_on_makes_new_ones_wait()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(0, "k", T0);
        scheduler.Offer(1, "k", T0);
        scheduler.Offer(2, "k", T0.AddSeconds(3), attempt: 2);
        Assert.Equal([0L], TakeIds(scheduler, T0));
        scheduler.UpdatePolicy(DeliveryPolicy.Default);
        Assert.Equal([1L], TakeIds(scheduler, T0));
        Assert.Equal([2L], TakeIds(scheduler, T0.AddSeconds(3)));

        // Three items of k are out; with ordering back on, a new one waits for all of them.
        scheduler.UpdatePolicy(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(3, "k", T0);
        scheduler.Offer(4, "j", T0);
        Assert.Equal([4L], TakeIds(scheduler, T0.AddSeconds(3)));
        scheduler.Complete(0, DeliveryOutcome.Delivered, T0.AddSeconds(3));
        scheduler.Complete(2, DeliveryOutcome.Delivered, T0.AddSeconds(3));
        Assert.Empty(Take(scheduler, T0.AddSeconds(3)));
        scheduler.Complete(1, DeliveryOutcome.Delivered, T0.AddSeconds(3));
        Assert.Equal([3L], TakeIds(scheduler, T0.AddSeconds(3)));
    }

    [Fact]
    public void UpdatePolicy_rate_change_takes_effect_at_once()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        for (var i = 0; i < 50; i++)
        {
            scheduler.Offer(i, null, T0);
        }

        scheduler.UpdatePolicy(DeliveryPolicy.Default with { RateLimit = 5 });
        Assert.Equal(5, Take(scheduler, T0).Count);
        scheduler.UpdatePolicy(DeliveryPolicy.Default with { RateLimit = 2 });
        Assert.Empty(Take(scheduler, T0));
        Assert.Equal(T0.AddMilliseconds(500), scheduler.NextWakeup(T0));
        scheduler.UpdatePolicy(DeliveryPolicy.Default);
        Assert.Equal(45, Take(scheduler, T0).Count);
    }

    [Fact]
    public void Bad_calls_say_what_is_wrong()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default);
        scheduler.Offer(0, null, T0);
        var duplicate = Assert.Throws<ArgumentException>(() => scheduler.Offer(0, null, T0));
        Assert.Contains("Item 0 is already tracked (queued for its first attempt", duplicate.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Offer(1, null, T0, attempt: 0));

        var notInFlight = Assert.Throws<InvalidOperationException>(() => scheduler.Complete(0, DeliveryOutcome.Delivered, T0));
        Assert.Contains("Item 0 is not in flight", notInFlight.Message);
        var unknown = Assert.Throws<InvalidOperationException>(() => scheduler.Complete(42, DeliveryOutcome.Delivered, T0));
        Assert.Contains("Item 42 is not tracked", unknown.Message);

        Take(scheduler, T0);
        scheduler.Complete(0, DeliveryOutcome.Delivered, T0);
        Assert.Throws<InvalidOperationException>(() => scheduler.Complete(0, DeliveryOutcome.Delivered, T0));
        Assert.Throws<ArgumentNullException>(() => scheduler.TakeReady(T0, null!));

        var badPolicy = Assert.Throws<ArgumentException>(() => new DeliveryScheduler(DeliveryPolicy.Default with { MaxAttempts = 33 }));
        Assert.Contains("delivery.maxAttempts must be 1..32", badPolicy.Message);
        var badUpdate = Assert.Throws<ArgumentException>(() => scheduler.UpdatePolicy(DeliveryPolicy.Default with { Inflight = 0 }));
        Assert.Contains("delivery.inflight", badUpdate.Message);
        Assert.Equal(1024, scheduler.Policy.Inflight);
    }

    [Fact]
    public void Complete_of_an_item_waiting_for_its_retry_is_refused()
    {
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        scheduler.Offer(0, "k", T0);
        scheduler.Offer(1, "k", T0);
        Take(scheduler, T0);
        scheduler.Complete(0, Fail, T0);
        Assert.Contains("waiting for attempt 2", Assert.Throws<InvalidOperationException>(() => scheduler.Complete(0, Fail, T0)).Message);
        Assert.Contains("waiting behind an earlier item with partitionkey 'k'", Assert.Throws<InvalidOperationException>(() => scheduler.Complete(1, Fail, T0)).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_million_items_go_through(bool ordered)
    {
        const int total = 1_000_000;
        var scheduler = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = ordered, Inflight = 1024 });
        var tickets = new List<DeliveryTicket>(1024);
        var keys = Enumerable.Range(0, 1000).Select(k => "key-" + k).ToArray();
        long offered = 0, done = 0, lastDone = -1;
        var outOfOrder = 0;
        while (done < total)
        {
            // The trigger keeps a bounded window of read-ahead, as it would with ~100k tracked.
            while (offered < total && scheduler.Count < 100_000)
            {
                scheduler.Offer(offered, keys[offered % keys.Length], T0);
                offered++;
            }

            tickets.Clear();
            scheduler.TakeReady(T0, tickets);
            foreach (var t in tickets)
            {
                Assert.Equal(DeliveryDecisionKind.Done, scheduler.Complete(t.Id, DeliveryOutcome.Delivered, T0).Kind);
                outOfOrder += t.Id < lastDone ? 1 : 0;
                lastDone = t.Id;
                done++;
            }
        }

        Assert.Equal(0, scheduler.Count);
        Assert.Equal(0, outOfOrder);
        Assert.Null(scheduler.LowestFirstAttempt);
    }
}
