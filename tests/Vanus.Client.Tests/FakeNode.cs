using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Client.Tests;

/// <summary>A request as the fake node received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A stand-in for a Vanus node on 127.0.0.1 (Kestrel on a free port) serving the paths of the HTTP contract the client
/// uses. Pull subscriptions lease events with tokens, record acks and hand an un-acked event out again once its lease
/// (the subscription's <c>delivery.timeout</c>, default 5 s) has passed on <see cref="Clock"/>; long polls wait on that clock too.
/// </summary>
internal sealed class FakeNode : IAsyncDisposable
{
    private static readonly TimeSpan GuardTimeout = TimeSpan.FromSeconds(20);

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _buses = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private long _tokens;
    private int _pullsWaiting;

    private FakeNode(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The node's clock: lease deadlines and long-poll waits run on it.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When set and it returns true, it has answered the request instead of the contract.</summary>
    public Func<HttpContext, Task<bool>>? Override { get; set; }

    /// <summary>How many of the next pulls answer 503 with a problem document.</summary>
    public int FailingPulls { get; set; }

    public static async Task<FakeNode> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var node = new FakeNode(app);
        app.Run(node.HandleAsync);
        await app.StartAsync();
        node.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return node;
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string pathSuffix) =>
        [.. Requests.Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal))];

    /// <summary>Appends events to the pull subscription's queue with the next offsets of eventlog 0.</summary>
    public void Offer(string subscription, params Event[] events)
    {
        lock (_lock)
        {
            var sub = _subscriptions[subscription];
            foreach (var e in events)
            {
                sub.Pending.Add(new Item(sub.NextOffset++, 1, e));
            }
        }

        Pulse();
    }

    public JsonObject Document(string subscription)
    {
        lock (_lock)
        {
            return (JsonObject)_subscriptions[subscription].Document.DeepClone();
        }
    }

    public string? ResetTime(string subscription)
    {
        lock (_lock)
        {
            return _subscriptions[subscription].ResetTo;
        }
    }

    public bool HasSubscription(string name)
    {
        lock (_lock)
        {
            return _subscriptions.ContainsKey(name);
        }
    }

    /// <summary>Offsets acknowledged so far, in the order the acks arrived.</summary>
    public IReadOnlyList<long> Acked(string subscription)
    {
        lock (_lock)
        {
            return [.. _subscriptions[subscription].Acked];
        }
    }

    /// <summary>Every (offset, attempt) handed out, in order.</summary>
    public IReadOnlyList<(long Offset, int Attempt)> Deliveries(string subscription)
    {
        lock (_lock)
        {
            return [.. _subscriptions[subscription].Deliveries];
        }
    }

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

    /// <summary>Wakes every waiter: a test calls it after changing something the node does not see (a handler's progress).</summary>
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, buffer.ToArray());
        Requests.Enqueue(recorded);
        Pulse();
        if (Override is { } over && await over(context))
        {
            return;
        }

        var parts = (request.Path.Value ?? "").Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        try
        {
            await RouteAsync(context, recorded, parts);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up on a long poll; nothing to answer.
        }
    }

    private Task RouteAsync(HttpContext context, RecordedRequest request, string[] p)
    {
        var method = request.Method;
        // namespaces/{ns}/eventbus/{bus}/events
        if (p is ["namespaces", _, "eventbus", var bus, "events"] && method == "POST")
        {
            return IngestAsync(context, request, bus);
        }

        if (p is not ["api", "v1", "namespaces", _, ..])
        {
            return ProblemAsync(context, 404, "not-found", "No such path.");
        }

        return p[4..] switch
        {
            ["eventbuses"] when method == "POST" => CreateBusAsync(context, request),
            ["eventbuses", var name] when method == "GET" => GetBusAsync(context, name),
            ["eventbuses", var name] when method == "DELETE" => DeleteBusAsync(context, name),
            ["subscriptions"] when method == "POST" => PutSubscriptionAsync(context, request, create: true),
            ["subscriptions", _] when method == "PUT" => PutSubscriptionAsync(context, request, create: false),
            ["subscriptions", var name] when method == "GET" => WithSubscription(context, name, s => JsonAsync(context, 200, Status(s))),
            ["subscriptions", var name] when method == "DELETE" => DeleteSubscriptionAsync(context, name),
            ["subscriptions", var name, "pause"] when method == "POST" => WithSubscription(context, name, s => { s.State = "paused"; return JsonAsync(context, 200, Status(s)); }),
            ["subscriptions", var name, "resume"] when method == "POST" => WithSubscription(context, name, s => { s.State = "running"; return JsonAsync(context, 200, Status(s)); }),
            ["subscriptions", var name, "reset"] when method == "POST" => WithSubscription(context, name, s => { s.ResetTo = JsonNode.Parse(request.Body)!["time"]!.GetValue<string>(); context.Response.StatusCode = 204; return Task.CompletedTask; }),
            ["subscriptions", var name, "pull"] when method == "POST" => PullAsync(context, name),
            ["subscriptions", var name, "ack"] when method == "POST" => AckAsync(context, request, name),
            _ => ProblemAsync(context, 404, "not-found", "No such path."),
        };
    }

    private Task IngestAsync(HttpContext context, RecordedRequest request, string bus)
    {
        IReadOnlyList<Event> events;
        try
        {
            events = request.ContentType?.StartsWith(JsonEventFormat.BatchMediaType, StringComparison.Ordinal) == true
                ? JsonEventFormat.DecodeBatch(request.Body)
                : [JsonEventFormat.Decode(request.Body)];
        }
        catch (CloudEventFormatException e)
        {
            return ProblemAsync(context, 400, "invalid-event", e.Message, attribute: e.Attribute, rule: e.Rule, eventIndex: e.Index);
        }

        var placements = new JsonArray();
        lock (_lock)
        {
            if (!_buses.TryGetValue(bus, out var next))
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no eventbus '{bus}'.", field: "eventbus");
            }

            foreach (var e in events)
            {
                placements.Add(new JsonObject { ["id"] = e.Id, ["eventId"] = next.ToString("x16", CultureInfo.InvariantCulture), ["eventlog"] = 0, ["offset"] = next });
                next++;
            }

            _buses[bus] = next;
        }

        return JsonAsync(context, 200, new JsonObject { ["events"] = placements });
    }

    private Task CreateBusAsync(HttpContext context, RecordedRequest request)
    {
        var doc = JsonNode.Parse(request.Body)!.AsObject();
        var name = doc["name"]!.GetValue<string>();
        lock (_lock)
        {
            if (!_buses.TryAdd(name, 0))
            {
                return ProblemAsync(context, 409, "already-exists", $"Eventbus '{name}' already exists.", field: "name");
            }
        }

        return JsonAsync(context, 201, Bus(name, doc["eventlogs"]?.GetValue<int>() ?? 1, 0));
    }

    private Task GetBusAsync(HttpContext context, string name)
    {
        long next;
        lock (_lock)
        {
            if (!_buses.TryGetValue(name, out next))
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no eventbus '{name}'.", field: "eventbus");
            }
        }

        return JsonAsync(context, 200, Bus(name, 1, next));
    }

    private Task DeleteBusAsync(HttpContext context, string name)
    {
        lock (_lock)
        {
            if (!_buses.Remove(name))
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no eventbus '{name}'.", field: "eventbus");
            }
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static JsonObject Bus(string name, int eventlogs, long next)
    {
        var logs = new JsonArray();
        for (var i = 0; i < eventlogs; i++)
        {
            logs.Add(new JsonObject { ["id"] = i, ["earliest"] = 0, ["next"] = i == 0 ? next : 0 });
        }

        return new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["eventlogs"] = logs,
            ["replicas"] = 1,
            ["sync"] = "interval",
            ["retention"] = new JsonObject(),
            ["createdAt"] = "2026-11-27T16:00:00Z",
            ["deadLetterBus"] = null,
        };
    }

    private Task PutSubscriptionAsync(HttpContext context, RecordedRequest request, bool create)
    {
        var doc = JsonNode.Parse(request.Body)!.AsObject();
        var name = doc["name"]!.GetValue<string>();
        Subscription sub;
        lock (_lock)
        {
            var exists = _subscriptions.TryGetValue(name, out var existing);
            if (create && exists)
            {
                return ProblemAsync(context, 409, "already-exists", $"Subscription '{name}' already exists.", field: "name");
            }

            if (!create && !exists)
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no subscription '{name}'.", field: "subscription");
            }

            sub = existing ?? new Subscription(name);
            sub.Document = doc;
            sub.Timeout = doc["delivery"]?["timeout"] is { } t ? ParseDuration(t.GetValue<string>()) : TimeSpan.FromSeconds(5);
            _subscriptions[name] = sub;
        }

        Pulse();
        return JsonAsync(context, create ? 201 : 200, Status(sub));
    }

    private Task DeleteSubscriptionAsync(HttpContext context, string name)
    {
        lock (_lock)
        {
            if (!_subscriptions.Remove(name))
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no subscription '{name}'.", field: "subscription");
            }
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task WithSubscription(HttpContext context, string name, Func<Subscription, Task> then)
    {
        Subscription? sub;
        lock (_lock)
        {
            _subscriptions.TryGetValue(name, out sub);
        }

        return sub is null
            ? ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no subscription '{name}'.", field: "subscription")
            : then(sub);
    }

    private JsonObject Status(Subscription s)
    {
        lock (_lock)
        {
            var status = (JsonObject)s.Document.DeepClone();
            status["state"] = s.State;
            status["delivered"] = s.Acked.Count;
            status["eventlogs"] = new JsonArray
            {
                new JsonObject
                {
                    ["eventlog"] = 0,
                    ["committed"] = s.Acked.Count == 0 ? 0 : s.Acked.Max() + 1,
                    ["next"] = s.NextOffset,
                    ["delivered"] = s.Acked.Count,
                },
            };
            return status;
        }
    }

    private async Task PullAsync(HttpContext context, string name)
    {
        var query = context.Request.Query;
        var max = int.Parse(query["max"].Single()!, CultureInfo.InvariantCulture);
        var wait = ParseDuration(query["wait"].Single()!);
        Subscription? sub;
        lock (_lock)
        {
            _subscriptions.TryGetValue(name, out sub);
            if (FailingPulls > 0)
            {
                FailingPulls--;
                sub = null;
                wait = TimeSpan.MinValue;
            }
        }

        if (wait == TimeSpan.MinValue)
        {
            await ProblemAsync(context, 503, "unavailable", "The subscription's trigger is moving to another node; retry shortly.");
            return;
        }

        if (sub is null)
        {
            await ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no subscription '{name}'.", field: "subscription");
            return;
        }

        var deadline = Clock.GetUtcNow() + wait;
        JsonObject answer;
        while (true)
        {
            Task changed;
            TimeSpan sleep;
            JsonArray? events = null;
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
                if (sub.Pending.Count > 0)
                {
                    var taken = sub.Pending.Take(max).ToList();
                    sub.Pending.RemoveRange(0, taken.Count);
                    events = [];
                    foreach (var item in taken)
                    {
                        var token = "t" + (++_tokens).ToString(CultureInfo.InvariantCulture);
                        sub.Leases[token] = new Lease(item, now + sub.Timeout);
                        sub.Deliveries.Add((item.Offset, item.Attempt));
                        events.Add(new JsonObject
                        {
                            ["token"] = token,
                            ["eventlog"] = 0,
                            ["offset"] = item.Offset,
                            ["attempt"] = item.Attempt,
                            ["event"] = JsonNode.Parse(JsonEventFormat.Encode(item.Event)),
                        });
                    }

                }
                else if (now >= deadline)
                {
                    events = [];
                }

                if (events is not null)
                {
                    answer = new JsonObject { ["events"] = events };
                    break;
                }

                var wake = sub.Leases.Count == 0 ? deadline : new[] { deadline, sub.Leases.Values.Min(l => l.Deadline) }.Min();
                sleep = wake - now;
                changed = _changed.Task;
                _pullsWaiting++;
            }

            Pulse();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
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

            context.RequestAborted.ThrowIfCancellationRequested();
        }

        Pulse();
        await JsonAsync(context, 200, answer);
    }

    private Task AckAsync(HttpContext context, RecordedRequest request, string name)
    {
        var tokens = JsonNode.Parse(request.Body)!["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        int acknowledged;
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(name, out var sub))
            {
                return ProblemAsync(context, 404, "not-found", $"Namespace 'default' has no subscription '{name}'.", field: "subscription");
            }

            acknowledged = 0;
            foreach (var token in tokens)
            {
                if (sub.Leases.Remove(token, out var lease))
                {
                    sub.Acked.Add(lease.Item.Offset);
                    acknowledged++;
                }
            }
        }

        Pulse();
        return JsonAsync(context, 200, new JsonObject { ["acknowledged"] = acknowledged });
    }

    private static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    internal static Task ProblemAsync(HttpContext context, int status, string kind, string detail, string? field = null, string? reason = null, string? attribute = null, string? rule = null, int? eventIndex = null)
    {
        var problem = new JsonObject
        {
            ["type"] = "urn:vanus:problem:" + kind,
            ["title"] = kind,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (field is not null)
        {
            problem["field"] = field;
        }

        if (reason is not null)
        {
            problem["reason"] = reason;
        }

        if (attribute is not null)
        {
            problem["attribute"] = attribute;
        }

        if (rule is not null)
        {
            problem["rule"] = rule;
        }

        if (eventIndex is not null)
        {
            problem["eventIndex"] = eventIndex;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(problem.ToJsonString());
    }

    private static TimeSpan ParseDuration(string text)
    {
        var digits = text.TakeWhile(char.IsAsciiDigit).Count();
        var n = long.Parse(text[..digits], CultureInfo.InvariantCulture);
        return text[digits..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            var unit => throw new FormatException($"Unknown duration unit '{unit}' in '{text}'."),
        };
    }

    private sealed record Item(long Offset, int Attempt, Event Event);

    private sealed record Lease(Item Item, DateTimeOffset Deadline);

    private sealed class Subscription(string name)
    {
        public string Name { get; } = name;

        public JsonObject Document { get; set; } = [];

        public TimeSpan Timeout { get; set; }

        public string State { get; set; } = "running";

        public string? ResetTo { get; set; }

        public long NextOffset { get; set; }

        public List<Item> Pending { get; } = [];

        public Dictionary<string, Lease> Leases { get; } = new(StringComparer.Ordinal);

        public List<long> Acked { get; } = [];

        public List<(long Offset, int Attempt)> Deliveries { get; } = [];
    }
}
