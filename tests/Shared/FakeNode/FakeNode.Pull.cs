using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Testing.Fakes;

/// <summary>
/// Pull subscriptions: events offered to a subscription are leased to pullers with tokens, acks are recorded, and an
/// un-acked event is handed out again once its lease (the subscription's <c>delivery.timeout</c>, default 5 s) has passed
/// on <see cref="Clock"/>; long polls wait on that clock too. Tests wait on the node's state with <see cref="WaitUntilAsync"/>.
/// </summary>
public sealed partial class FakeNode
{
    private static readonly TimeSpan GuardTimeout = TimeSpan.FromSeconds(20);

    private TaskCompletionSource _changed = NewSignal();
    private long _tokens;
    private int _pullsWaiting;

    /// <summary>How many of the next pulls answer 503 with a problem document.</summary>
    public int FailingPulls { get; set; }

    public int PullsWaiting
    {
        get
        {
            lock (_lock)
            {
                return _pullsWaiting;
            }
        }
    }

    /// <summary>The requests with <paramref name="method"/> whose path ends with <paramref name="pathSuffix"/>.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string pathSuffix) =>
        [.. Requests.Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal))];

    /// <summary>Stores events in eventlog 0 of the subscription's bus and queues them for its pullers.</summary>
    public void Offer(string subscription, params Event[] events)
    {
        lock (_lock)
        {
            var sub = _subscriptions[Key("default", subscription)];
            var log = _buses[Key(sub.Namespace, sub.Eventbus)].Logs[0];
            foreach (var e in events)
            {
                var stored = new StoredEvent(e, log.Count, Clock.GetUtcNow());
                log.Add(stored);
                sub.Pending.Add(new PullItem(stored.Offset, 1, e));
            }
        }

        Pulse();
    }

    /// <summary>The subscription's document as the node holds it.</summary>
    public JsonObject Document(string subscription, string ns = "default")
    {
        lock (_lock)
        {
            return (JsonObject)_subscriptions[Key(ns, subscription)].Document.DeepClone();
        }
    }

    /// <summary>The time the last reset asked for, as sent.</summary>
    public string? ResetTime(string subscription, string ns = "default")
    {
        lock (_lock)
        {
            return _subscriptions[Key(ns, subscription)].ResetTo;
        }
    }

    public bool HasSubscription(string name, string ns = "default")
    {
        lock (_lock)
        {
            return _subscriptions.ContainsKey(Key(ns, name));
        }
    }

    /// <summary>Offsets acknowledged so far, in the order the acks arrived.</summary>
    public IReadOnlyList<long> Acked(string subscription, string ns = "default")
    {
        lock (_lock)
        {
            return [.. _subscriptions[Key(ns, subscription)].Acked];
        }
    }

    /// <summary>Every (offset, attempt) handed out, in order.</summary>
    public IReadOnlyList<(long Offset, int Attempt)> Deliveries(string subscription, string ns = "default")
    {
        lock (_lock)
        {
            return [.. _subscriptions[Key(ns, subscription)].Handed];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after every change of the node's state (a guard timeout stops a broken test).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(GuardTimeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The fake node never reached: {what}.");
            }
        }
    }

    /// <summary>Wakes every waiter: the node calls it on every request and change; a test calls it after changing something the node does not see.</summary>
    public void Pulse()
    {
        TaskCompletionSource old;
        lock (_lock)
        {
            old = _changed;
            _changed = NewSignal();
        }

        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void MapPull(WebApplication app, string sub)
    {
        app.MapPost(sub + "/pull", PullAsync);
        app.MapPost(sub + "/ack", AckAsync);
    }

    private async Task PullAsync(HttpContext c)
    {
        var max = int.Parse(c.Request.Query["max"].Single()!, CultureInfo.InvariantCulture);
        var wait = Units.ParseDuration(c.Request.Query["wait"].Single()!);
        bool failing;
        lock (_lock)
        {
            failing = FailingPulls > 0;
            if (failing)
            {
                FailingPulls--;
            }
        }

        if (failing)
        {
            await ProblemAsync(c, 503, "Unavailable", "The subscription's trigger is moving to another node; retry shortly.");
            return;
        }

        if (await FindSubscriptionAsync(c) is not { } sub)
        {
            return;
        }

        var deadline = Clock.GetUtcNow() + wait;
        JsonArray events;
        while (true)
        {
            Task changed;
            TimeSpan sleep;
            lock (_lock)
            {
                var now = Clock.GetUtcNow();
                // Leases past their deadline go back in offset order: the event comes again with the next attempt number.
                foreach (var (token, lease) in sub.Leases.Where(l => l.Value.Deadline <= now).ToList())
                {
                    sub.Leases.Remove(token);
                    sub.Pending.Add(lease.Item with { Attempt = lease.Item.Attempt + 1 });
                }

                sub.Pending.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                if (sub.Pending.Count > 0 || now >= deadline)
                {
                    events = Lease(sub, max, now);
                    break;
                }

                var wake = sub.Leases.Count == 0 ? deadline : new[] { deadline, sub.Leases.Values.Min(l => l.Deadline) }.Min();
                sleep = wake - now;
                changed = _changed.Task;
                _pullsWaiting++;
            }

            Pulse();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted);
            try
            {
                await Task.WhenAny(changed, Task.Delay(sleep, Clock, stop.Token));
            }
            finally
            {
                await stop.CancelAsync();
                lock (_lock)
                {
                    _pullsWaiting--;
                }

                Pulse();
            }

            if (c.RequestAborted.IsCancellationRequested)
            {
                // The client gave up on a long poll; nothing to answer.
                return;
            }
        }

        Pulse();
        await JsonAsync(c, 200, w => new JsonObject { ["events"] = events }.WriteTo(w));
    }

    private JsonArray Lease(Subscription sub, int max, DateTimeOffset now)
    {
        var timeout = sub.Document["delivery"]?["timeout"] is JsonValue t ? Units.ParseDuration(t.GetValue<string>()) : TimeSpan.FromSeconds(5);
        var taken = sub.Pending.Take(max).ToList();
        sub.Pending.RemoveRange(0, taken.Count);
        var events = new JsonArray();
        foreach (var item in taken)
        {
            var token = "t" + (++_tokens).ToString(CultureInfo.InvariantCulture);
            sub.Leases[token] = new PullLease(item, now + timeout);
            sub.Handed.Add((item.Offset, item.Attempt));
            events.Add(new JsonObject
            {
                ["token"] = token,
                ["eventlog"] = 0,
                ["offset"] = item.Offset,
                ["attempt"] = item.Attempt,
                ["event"] = JsonNode.Parse(JsonEventFormat.Encode(item.Event)),
            });
        }

        return events;
    }

    private async Task AckAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } sub)
        {
            return;
        }

        var tokens = JsonNode.Parse(((MemoryStream)c.Request.Body).ToArray())!["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var acknowledged = 0;
        lock (_lock)
        {
            foreach (var token in tokens)
            {
                if (sub.Leases.Remove(token, out var lease))
                {
                    sub.Acked.Add(lease.Item.Offset);
                    acknowledged++;
                    if (sub.Triggers is [var trigger, ..])
                    {
                        trigger.Delivered++;
                        trigger.Committed = Math.Max(trigger.Committed, lease.Item.Offset + 1);
                    }
                }
            }
        }

        Pulse();
        await JsonAsync(c, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("acknowledged", acknowledged);
            w.WriteEndObject();
        });
    }

    private sealed record PullItem(long Offset, int Attempt, Event Event);

    private sealed record PullLease(PullItem Item, DateTimeOffset Deadline);
}
