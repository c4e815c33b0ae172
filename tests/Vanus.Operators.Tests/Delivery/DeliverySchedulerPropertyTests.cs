using Vanus.Operators.Delivery;
using Vanus.Runtime.Broker;

namespace Vanus.Operators.Tests.Delivery;

/// <summary>
/// Seeded random runs of a trigger against a sink that fails at random, under random policies, checked against a model after
/// every step: per-key order, one ending per item, the counts, the commit point and that a wakeup always comes.
/// </summary>
public sealed class DeliverySchedulerPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private static readonly string?[] Keys = ["a", "b", "c", "d", null];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Random_failures_keep_key_order_and_end_every_item_exactly_once(bool ordered)
    {
        for (var seed = 0; seed < 300; seed++)
        {
            Run(seed, ordered);
        }
    }

    private static void Run(int seed, bool ordered)
    {
        var rng = new Random(seed);
        var policy = DeliveryPolicy.Default with
        {
            Ordered = ordered,
            MaxAttempts = rng.Next(1, 6),
            Backoff = [.. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => TimeSpan.FromMilliseconds(rng.Next(0, 2000)))],
            Inflight = rng.Next(1, 12),
            RateLimit = rng.Next(3) == 0 ? rng.Next(1, 40) : 0,
            DeadLetter = rng.Next(2) == 0,
        };
        var scheduler = new DeliveryScheduler(policy);
        var context = $"seed {seed}, ordered {ordered}";
        var total = rng.Next(20, 200);
        var now = T0;
        long offered = 0;
        var tracked = new Dictionary<long, (string? Key, int Attempt, bool InFlight)>();
        var inFlight = new List<DeliveryTicket>();
        var endings = new Dictionary<long, DeliveryDecisionKind>();
        var takenByKey = new Dictionary<string, List<long>>();
        var doneByKey = new Dictionary<string, List<long>>();
        var tickets = new List<DeliveryTicket>();

        int TakeAt(DateTimeOffset at)
        {
            tickets.Clear();
            scheduler.TakeReady(at, tickets);
            foreach (var t in tickets)
            {
                var item = tracked[t.Id];
                Assert.False(item.InFlight, $"{context}: {t.Id} taken twice");
                Assert.Equal(item.Attempt, t.Attempt);
                if (ordered && item.Key is { } key)
                {
                    Assert.DoesNotContain(inFlight, o => tracked[o.Id].Key == key);
                    var taken = takenByKey.TryGetValue(key, out var list) ? list : takenByKey[key] = [];
                    if (taken.Count > 0)
                    {
                        Assert.True(taken[^1] <= t.Id, $"{context}: key {key} took {t.Id} after {taken[^1]}");
                    }

                    taken.Add(t.Id);
                }

                tracked[t.Id] = item with { InFlight = true };
                inFlight.Add(t);
            }

            Assert.True(inFlight.Count <= policy.Inflight, $"{context}: {inFlight.Count} in flight over the limit {policy.Inflight}");
            return tickets.Count;
        }

        for (var step = 0; offered < total || tracked.Count > 0; step++)
        {
            Assert.True(step < 100_000, $"{context}: no progress after {step} steps, {tracked.Count} items left");
            switch (rng.Next(5))
            {
                case 0 when offered < total:
                    for (var n = rng.Next(1, 6); n > 0 && offered < total; n--)
                    {
                        var key = Keys[rng.Next(Keys.Length)];
                        var notBefore = rng.Next(4) == 0 ? now.AddMilliseconds(rng.Next(1, 3000)) : now;
                        scheduler.Offer(offered, key, notBefore);
                        tracked.Add(offered, (key, 1, false));
                        offered++;
                    }

                    break;
                case 1:
                case 2 when inFlight.Count == 0:
                    TakeAt(now);
                    break;
                case 2:
                    {
                        var index = rng.Next(inFlight.Count);
                        var ticket = inFlight[index];
                        inFlight.RemoveAt(index);
                        var roll = rng.Next(100);
                        var outcome = roll < 50 ? DeliveryOutcome.Delivered : roll < 85 ? DeliveryOutcome.Retry("503", 503) : DeliveryOutcome.Refuse("400", 400);
                        var decision = scheduler.Complete(ticket.Id, outcome, now);
                        var item = tracked[ticket.Id];
                        var expected = outcome.Kind switch
                        {
                            DeliveryOutcomeKind.Delivered => DeliveryDecisionKind.Done,
                            DeliveryOutcomeKind.Retryable when item.Attempt < policy.MaxAttempts => DeliveryDecisionKind.Retry,
                            _ => policy.DeadLetter ? DeliveryDecisionKind.DeadLetter : DeliveryDecisionKind.Drop,
                        };
                        Assert.Equal(expected, decision.Kind);
                        if (decision.Kind == DeliveryDecisionKind.Retry)
                        {
                            Assert.Equal(item.Attempt + 1, decision.Attempt);
                            Assert.Equal(now + policy.BackoffBefore(item.Attempt + 1), decision.Due);
                            tracked[ticket.Id] = item with { Attempt = item.Attempt + 1, InFlight = false };
                        }
                        else
                        {
                            Assert.Equal(item.Attempt, decision.Attempt);
                            Assert.True(endings.TryAdd(ticket.Id, decision.Kind), $"{context}: {ticket.Id} ended twice");
                            tracked.Remove(ticket.Id);
                            if (decision.Kind == DeliveryDecisionKind.Done && item.Key is { } key)
                            {
                                (doneByKey.TryGetValue(key, out var done) ? done : doneByKey[key] = []).Add(ticket.Id);
                            }
                        }

                        break;
                    }

                default:
                    if (scheduler.NextWakeup(now) is { } wake && rng.Next(3) != 0)
                    {
                        Assert.True(wake >= now, $"{context}: wakeup {wake:O} before now {now:O}");
                        var waited = wake > now;
                        now = wake;

                        // A wakeup is never early: when it is later than now, something can be taken at it.
                        if (waited)
                        {
                            Assert.True(TakeAt(now) > 0, $"{context}: woke at {now:O} for nothing");
                        }
                    }
                    else
                    {
                        now = now.AddMilliseconds(rng.Next(0, 500));
                    }

                    break;
            }

            Assert.Equal(tracked.Count, scheduler.Count);
            Assert.Equal(inFlight.Count, scheduler.InFlight);
            Assert.Equal(tracked.Count - inFlight.Count, scheduler.Pending);
            Assert.Equal(tracked.Values.Count(i => i.Attempt > 1 && !i.InFlight), scheduler.RetriesWaiting);
            var firsts = tracked.Where(p => p.Value.Attempt == 1).Select(p => p.Key).ToList();
            Assert.Equal(firsts.Count == 0 ? null : firsts.Min(), scheduler.LowestFirstAttempt);

            // Liveness: with nothing in flight, whatever is left must be takeable now or have a wakeup.
            if (inFlight.Count == 0 && tracked.Count > 0)
            {
                Assert.NotNull(scheduler.NextWakeup(now));
            }
        }

        Assert.Equal(total, endings.Count);
        Assert.True(Enumerable.Range(0, total).All(i => endings.ContainsKey(i)), $"{context}: an item never ended");
        if (ordered)
        {
            foreach (var (key, done) in doneByKey)
            {
                Assert.True(done.SequenceEqual(done.Order()), $"{context}: key {key} delivered out of order: {string.Join(",", done)}");
            }
        }
    }
}
