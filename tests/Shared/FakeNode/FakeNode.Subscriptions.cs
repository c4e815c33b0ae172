using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Testing.Fakes;

/// <summary>
/// The subscription half of the fake node (DESIGN §6): documents checked as the node checks them, lifecycle, a dry run
/// that applies <c>exact</c> filters, dead letters, and delivery of ingested events to each running HTTP subscription's
/// sink in its mode (binary by default), with its headers.
/// </summary>
public sealed partial class FakeNode
{
    private static readonly string[] SubscriptionFields = ["name", "eventbus", "sink", "filters", "transformer", "delay", "protocol", "mode", "sinkHeaders", "delivery", "from"];

    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly HttpClient _sinkClient = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<Task> _deliveries = [];

    /// <summary>How many times each event is delivered to each sink: 0 loses them, 2 duplicates them.</summary>
    public int DeliveryCopies { get; set; } = 1;

    /// <summary>When set, every subscription create is refused with 400 and this detail.</summary>
    public string? RefuseSubscriptions { get; set; }

    /// <summary>The names of the subscriptions in a namespace, sorted.</summary>
    public IReadOnlyList<string> SubscriptionNames(string ns = "default")
    {
        lock (_lock)
        {
            return [.. _subscriptions.Values.Where(s => s.Namespace == ns).Select(s => s.Name).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The names of the eventbuses in a namespace, sorted.</summary>
    public IReadOnlyList<string> EventbusNames(string ns = "default")
    {
        lock (_lock)
        {
            return [.. _buses.Values.Where(b => b.Namespace == ns).Select(b => b.Name).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The subscription as <c>GET .../subscriptions/{name}</c> answers it.</summary>
    public string SubscriptionJson(string name, string ns = "default")
    {
        lock (_lock)
        {
            return Json(w => WriteSubscription(w, _subscriptions[Key(ns, name)]));
        }
    }

    /// <summary>Creates a subscription directly from its document (which must be valid), as a test's starting point.</summary>
    public void AddSubscription(string document, string ns = "default", string state = "running")
    {
        var doc = (JsonObject)JsonNode.Parse(document)!;
        lock (_lock)
        {
            var subscription = NewSubscription(ns, doc);
            subscription.State = state;
            _subscriptions.Add(Key(ns, subscription.Name), subscription);
        }
    }

    /// <summary>Sets one trigger's counts, as a node reports them after deliveries.</summary>
    public void SetTrigger(string subscription, int eventlog, long committed, long delivered = 0, long failed = 0, long deadLettered = 0, long dropped = 0, int pendingRetries = 0, string? lastError = null, DateTimeOffset? lastErrorTime = null, string ns = "default")
    {
        lock (_lock)
        {
            var t = _subscriptions[Key(ns, subscription)].Triggers[eventlog];
            t.Committed = committed;
            t.Delivered = delivered;
            t.Failed = failed;
            t.DeadLettered = deadLettered;
            t.Dropped = dropped;
            t.PendingRetries = pendingRetries;
            t.LastError = lastError;
            t.LastErrorTime = lastErrorTime;
        }
    }

    /// <summary>Puts an event on a subscription's dead-letter list, as the node does after its last attempt.</summary>
    public void AddDeadLetter(string subscription, Event e, string reason, string error, int attempts, string ns = "default")
    {
        lock (_lock)
        {
            var s = _subscriptions[Key(ns, subscription)];
            s.DeadLetters.Add(new DeadLetter(e, reason, error, attempts, Clock.GetUtcNow()));
        }
    }

    /// <summary>Completes when every delivery started so far has been answered (or has failed).</summary>
    public async Task DeliveriesIdleAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (_deliveries)
            {
                pending = [.. _deliveries];
                _deliveries.Clear();
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    private void MapSubscriptions(WebApplication app)
    {
        const string subs = "/api/v1/namespaces/{ns}/subscriptions";
        const string sub = subs + "/{sub}";
        app.MapPost(subs, CreateSubscriptionAsync);
        app.MapGet(subs, ListSubscriptionsAsync);
        app.MapGet(sub, GetSubscriptionAsync);
        app.MapPut(sub, ReplaceSubscriptionAsync);
        app.MapDelete(sub, DeleteSubscriptionAsync);
        app.MapPost(sub + "/pause", c => LifecycleAsync(c, "paused"));
        app.MapPost(sub + "/resume", c => LifecycleAsync(c, "running"));
        app.MapPost(sub + "/reset", ResetAsync);
        app.MapPost(sub + "/validate", ValidateAsync);
        app.MapGet(sub + "/deadletters", DeadLettersAsync);
        app.MapPost(sub + "/deadletters/resend", ResendAsync);
        MapPull(app, sub);
    }

    private async Task CreateSubscriptionAsync(HttpContext c)
    {
        var ns = Namespace(c);
        if (RefuseSubscriptions is { } why)
        {
            await ProblemAsync(c, 400, "Invalid subscription", why, ("field", "sink"));
            return;
        }

        if (await ReadSubscriptionDocumentAsync(c, ns, null) is not { } doc)
        {
            return;
        }

        Subscription? created = null;
        lock (_lock)
        {
            var name = doc["name"]!.GetValue<string>();
            if (!_subscriptions.ContainsKey(Key(ns, name)))
            {
                created = NewSubscription(ns, doc);
                _subscriptions.Add(Key(ns, name), created);
            }
        }

        if (created is null)
        {
            await ProblemAsync(c, 409, "Subscription exists", $"subscription '{doc["name"]}' already exists in namespace '{ns}'", ("subscription", doc["name"]!.GetValue<string>()));
            return;
        }

        await SubscriptionReplyAsync(c, 201, created);
    }

    private async Task ListSubscriptionsAsync(HttpContext c)
    {
        var ns = Namespace(c);
        Subscription[] all;
        lock (_lock)
        {
            all = [.. _subscriptions.Values.Where(s => s.Namespace == ns).OrderBy(s => s.Name, StringComparer.Ordinal)];
        }

        await JsonAsync(c, 200, w =>
        {
            lock (_lock)
            {
                w.WriteStartArray();
                foreach (var s in all)
                {
                    WriteSubscription(w, s);
                }

                w.WriteEndArray();
            }
        });
    }

    private async Task GetSubscriptionAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is { } s)
        {
            await SubscriptionReplyAsync(c, 200, s);
        }
    }

    private async Task ReplaceSubscriptionAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } s || await ReadSubscriptionDocumentAsync(c, s.Namespace, s.Name) is not { } doc)
        {
            return;
        }

        lock (_lock)
        {
            s.Document = doc;
        }

        await SubscriptionReplyAsync(c, 200, s);
    }

    private async Task DeleteSubscriptionAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is { } s)
        {
            lock (_lock)
            {
                _subscriptions.Remove(Key(s.Namespace, s.Name));
            }

            c.Response.StatusCode = 204;
        }
    }

    private async Task LifecycleAsync(HttpContext c, string state)
    {
        if (await FindSubscriptionAsync(c) is { } s)
        {
            lock (_lock)
            {
                s.State = state;
            }

            await SubscriptionReplyAsync(c, 200, s);
        }
    }

    private async Task ResetAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } s)
        {
            return;
        }

        if (s.State != "paused")
        {
            await ProblemAsync(c, 409, "Subscription is running", $"pause subscription '{s.Name}' before resetting it", ("subscription", s.Name));
            return;
        }

        DateTimeOffset time;
        try
        {
            var body = JsonDocument.Parse(((MemoryStream)c.Request.Body).ToArray()).RootElement;
            if (!body.TryGetProperty("time", out var t) || t.ValueKind != JsonValueKind.String || !Rfc3339.TryParse(t.GetString(), out time, out _))
            {
                await ProblemAsync(c, 400, "Invalid reset", "'time' is required: an RFC 3339 time", ("field", "time"));
                return;
            }

            lock (_lock)
            {
                s.ResetTo = t.GetString();
            }
        }
        catch (JsonException e)
        {
            await ProblemAsync(c, 400, "Invalid reset", $"the body is not JSON: {e.Message}");
            return;
        }

        lock (_lock)
        {
            if (_buses.TryGetValue(Key(s.Namespace, s.Eventbus), out var bus))
            {
                for (var i = 0; i < s.Triggers.Length && i < bus.Logs.Length; i++)
                {
                    s.Triggers[i].Committed = bus.Logs[i].FirstOrDefault(e => e.StoreTime >= time)?.Offset ?? bus.Logs[i].Count;
                }
            }
        }

        await SubscriptionReplyAsync(c, 200, s);
    }

    private async Task ValidateAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } s)
        {
            return;
        }

        Event e;
        try
        {
            var headers = c.Request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value.ToArray()!));
            var events = HttpBinding.Decode(c.Request.ContentType, headers, ((MemoryStream)c.Request.Body).ToArray());
            if (events.Count != 1)
            {
                await ProblemAsync(c, 415, "Unsupported media type", "A dry run takes one CloudEvent in binary or structured mode, not a batch.");
                return;
            }

            e = events[0];
        }
        catch (CloudEventFormatException ex)
        {
            await ProblemAsync(c, 400, "Invalid CloudEvent", ex.Message, ("attribute", ex.Attribute));
            return;
        }

        bool passed;
        lock (_lock)
        {
            passed = PassesExactFilters(s.Document, e);
        }

        await JsonAsync(c, 200, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("filterPassed", passed);
            w.WriteBoolean("delivered", passed);
            w.WriteStartArray("events");
            if (passed)
            {
                JsonEventFormat.Write(w, e);
            }

            w.WriteEndArray();
            w.WriteNull("error");
            w.WriteEndObject();
        });
    }

    private async Task DeadLettersAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } s)
        {
            return;
        }

        var q = c.Request.Query;
        var log = int.Parse(q["eventlog"].ToString(), CultureInfo.InvariantCulture);
        var offset = long.Parse(q["offset"].ToString(), CultureInfo.InvariantCulture);
        var count = int.Parse(q["count"].ToString(), CultureInfo.InvariantCulture);
        Event[] page;
        lock (_lock)
        {
            page = log != 0 ? [] : [.. s.DeadLetters.Select((d, i) => (d, i)).Skip((int)offset).Take(count).Select(x => x.d.Event
                .WithExtension("xvanusdlsubscription", AttributeValue.FromString(s.Name))
                .WithExtension("xvanusdlreason", AttributeValue.FromString(x.d.Reason))
                .WithExtension("xvanusdlerror", AttributeValue.FromString(x.d.Error))
                .WithExtension("xvanusdlattempts", AttributeValue.FromInteger(x.d.Attempts))
                .WithExtension("xvanusdltime", AttributeValue.FromString(Rfc3339.Format(x.d.Time)))
                .WithExtension("xvanuseventbus", AttributeValue.FromString("__dl_" + s.Eventbus))
                .WithExtension("xvanuseventlog", AttributeValue.FromInteger(0))
                .WithExtension("xvanusoffset", AttributeValue.FromInteger(x.i)))];
        }

        c.Response.StatusCode = 200;
        c.Response.ContentType = JsonEventFormat.BatchMediaType;
        await c.Response.Body.WriteAsync(JsonEventFormat.EncodeBatch(page));
    }

    private async Task ResendAsync(HttpContext c)
    {
        if (await FindSubscriptionAsync(c) is not { } s)
        {
            return;
        }

        JsonElement body;
        try
        {
            body = JsonDocument.Parse(((MemoryStream)c.Request.Body).ToArray()).RootElement;
        }
        catch (JsonException e)
        {
            await ProblemAsync(c, 400, "Invalid resend", $"the body is not JSON: {e.Message}");
            return;
        }

        var log = body.TryGetProperty("eventlog", out var l) ? l.GetInt32() : (int?)null;
        var from = body.TryGetProperty("from", out var f) ? f.GetInt64() : 0;
        var to = body.TryGetProperty("to", out var t) ? t.GetInt64() : long.MaxValue;
        long resent;
        lock (_lock)
        {
            resent = log is null or 0 ? Enumerable.Range(0, s.DeadLetters.Count).Count(i => i >= from && i <= to) : 0;
        }

        await JsonAsync(c, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("resent", resent);
            w.WriteEndObject();
        });
    }

    /// <summary>Checks a create or replace document as the node does; null after answering 400 when it is refused.</summary>
    private async Task<JsonObject?> ReadSubscriptionDocumentAsync(HttpContext c, string ns, string? pathName)
    {
        JsonObject? doc;
        try
        {
            doc = JsonNode.Parse(((MemoryStream)c.Request.Body).ToArray()) as JsonObject;
        }
        catch (JsonException e)
        {
            await ProblemAsync(c, 400, "Invalid subscription", $"the body is not JSON: {e.Message}");
            return null;
        }

        if (doc is null)
        {
            await ProblemAsync(c, 400, "Invalid subscription", "the body must be a JSON object");
            return null;
        }

        foreach (var (field, value) in doc.ToList())
        {
            if (!SubscriptionFields.Contains(field))
            {
                await ProblemAsync(c, 400, "Invalid subscription", $"'{field}' is not a field of this document", ("field", field));
                return null;
            }

            if (value is null)
            {
                doc.Remove(field);
            }
        }

        var name = doc["name"] is JsonValue n && n.TryGetValue<string>(out var text) ? text : null;
        if (pathName is not null && name is not null && name != pathName)
        {
            await ProblemAsync(c, 400, "Invalid subscription", $"'name' is '{name}' but the path names subscription '{pathName}'", ("field", "name"));
            return null;
        }

        if ((name ??= pathName) is null or "")
        {
            await ProblemAsync(c, 400, "Invalid subscription", "'name' is required", ("field", "name"));
            return null;
        }

        doc["name"] = name;
        if (doc["eventbus"] is not JsonValue bus || !bus.TryGetValue<string>(out var eventbus))
        {
            await ProblemAsync(c, 400, "Invalid subscription", "'eventbus' is required: the name of the eventbus to subscribe to", ("field", "eventbus"));
            return null;
        }

        lock (_lock)
        {
            if (!_buses.ContainsKey(Key(ns, eventbus)))
            {
                doc = null;
            }
        }

        if (doc is null)
        {
            await ProblemAsync(c, 400, "Invalid subscription", $"'eventbus' names '{eventbus}', which does not exist in namespace '{ns}'", ("field", "eventbus"));
            return null;
        }

        var pull = doc["protocol"]?.GetValue<string>() == "pull";
        if (!pull && doc["sink"] is null)
        {
            await ProblemAsync(c, 400, "Invalid subscription", "'sink' is required (an absolute http or https URL) unless protocol is 'pull'", ("field", "sink"));
            return null;
        }

        if (doc["delivery"]?["maxAttempts"] is JsonValue attempts && attempts.GetValue<int>() > 32)
        {
            await ProblemAsync(c, 400, "Invalid subscription", $"'delivery.maxAttempts' must be 1..32, not {attempts.GetValue<int>()}", ("field", "delivery.maxAttempts"));
            return null;
        }

        return doc;
    }

    private Subscription NewSubscription(string ns, JsonObject doc)
    {
        var eventbus = doc["eventbus"]!.GetValue<string>();
        var logs = _buses.TryGetValue(Key(ns, eventbus), out var bus) ? bus.Logs : [];
        var earliest = doc["from"]?.GetValue<string>() == "earliest";
        var triggers = logs.Select(l => new Trigger { Committed = earliest ? 0 : l.Count }).ToArray();
        return new Subscription(ns, doc, Clock.GetUtcNow(), triggers);
    }

    private async Task<Subscription?> FindSubscriptionAsync(HttpContext c)
    {
        var ns = Namespace(c);
        var name = Route(c, "sub");
        lock (_lock)
        {
            if (_subscriptions.TryGetValue(Key(ns, name), out var s))
            {
                return s;
            }
        }

        await ProblemAsync(c, 404, "Subscription not found", $"subscription '{name}' does not exist in namespace '{ns}'", ("subscription", name), ("field", "subscription"));
        return null;
    }

    private async Task SubscriptionReplyAsync(HttpContext c, int status, Subscription s)
    {
        string json;
        lock (_lock)
        {
            json = Json(w => WriteSubscription(w, s));
        }

        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        await c.Response.WriteAsync(json);
    }

    private void WriteSubscription(Utf8JsonWriter w, Subscription s)
    {
        w.WriteStartObject();
        foreach (var (field, value) in s.Document)
        {
            w.WritePropertyName(field);
            if (value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                value.WriteTo(w);
            }
        }

        w.WriteString("namespace", s.Namespace);
        w.WriteString("state", s.State);
        w.WriteString("createdAt", Rfc3339.Format(s.CreatedAt));
        w.WriteNumber("delivered", s.Triggers.Sum(t => t.Delivered));
        w.WriteNumber("failed", s.Triggers.Sum(t => t.Failed));
        w.WriteNumber("deadLettered", s.Triggers.Sum(t => t.DeadLettered));
        w.WriteNumber("dropped", s.Triggers.Sum(t => t.Dropped));
        WriteError(w, s.Triggers.Where(t => t.LastError is not null).MaxBy(t => t.LastErrorTime));
        _buses.TryGetValue(Key(s.Namespace, s.Eventbus), out var bus);
        w.WriteStartArray("eventlogs");
        for (var i = 0; i < s.Triggers.Length; i++)
        {
            var t = s.Triggers[i];
            var next = bus is not null && i < bus.Logs.Length ? bus.Logs[i].Count : t.Committed;
            w.WriteStartObject();
            w.WriteNumber("eventlog", i);
            w.WriteNumber("committed", t.Committed);
            w.WriteNumber("next", next);
            w.WriteNumber("lag", Math.Max(0, next - t.Committed));
            w.WriteNumber("delivered", t.Delivered);
            w.WriteNumber("failed", t.Failed);
            w.WriteNumber("deadLettered", t.DeadLettered);
            w.WriteNumber("dropped", t.Dropped);
            w.WriteNumber("pendingRetries", t.PendingRetries);
            WriteError(w, t.LastError is null ? null : t);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter w, Trigger? t)
    {
        if (t?.LastError is not { } message)
        {
            w.WriteNull("lastError");
            return;
        }

        w.WriteStartObject("lastError");
        w.WriteString("message", message);
        w.WriteString("time", Rfc3339.Format(t.LastErrorTime ?? DateTimeOffset.UnixEpoch));
        w.WriteEndObject();
    }

    private static bool PassesExactFilters(JsonObject doc, Event e)
    {
        foreach (var filter in doc["filters"] as JsonArray ?? [])
        {
            if (filter?["exact"] is JsonObject exact)
            {
                foreach (var (attribute, value) in exact)
                {
                    if (!e.TryGetAttribute(attribute, out var actual) || actual.ToString() != value?.GetValue<string>())
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>Starts a delivery of each stored event to each running HTTP subscription of the bus, as the node's triggers do.</summary>
    private void Deliver(Bus bus, List<(int Eventlog, StoredEvent Event)> stored)
    {
        List<(Subscription Subscription, string Sink, bool Structured, (string Name, string Value)[] Headers)> targets;
        lock (_lock)
        {
            targets = [.. _subscriptions.Values
                .Where(s => s.Namespace == bus.Namespace && s.Eventbus == bus.Name && s.State == "running" && s.Document["sink"] is not null)
                .Select(s => (s, s.Document["sink"]!.GetValue<string>(), s.Document["mode"]?.GetValue<string>() == "structured",
                    (s.Document["sinkHeaders"] as JsonObject)?.Select(h => (h.Key, h.Value!.GetValue<string>())).ToArray() ?? []))];
        }

        foreach (var (subscription, sink, structured, headers) in targets)
        {
            foreach (var (log, s) in stored.SelectMany(x => Enumerable.Repeat(x, DeliveryCopies)))
            {
                var task = DeliverOneAsync(subscription, sink, structured, headers, log, WithVanusAttributes(bus, log, s));
                lock (_deliveries)
                {
                    _deliveries.Add(task);
                }
            }
        }
    }

    private async Task DeliverOneAsync(Subscription s, string sink, bool structured, (string Name, string Value)[] headers, int log, Event e)
    {
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, sink) { Content = HttpBinding.ToHttpContent(e, structured ? ContentMode.Structured : ContentMode.Binary) };
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _sinkClient.SendAsync(request);
            error = response.IsSuccessStatusCode ? null : $"the sink answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            error = ex.Message;
        }

        lock (_lock)
        {
            var t = s.Triggers[log];
            if (error is null)
            {
                t.Delivered++;
                t.Committed++;
            }
            else
            {
                t.Failed++;
                t.LastError = error;
                t.LastErrorTime = Clock.GetUtcNow();
            }
        }
    }

    private sealed record DeadLetter(Event Event, string Reason, string Error, int Attempts, DateTimeOffset Time);

    private sealed class Trigger
    {
        public long Committed { get; set; }

        public long Delivered { get; set; }

        public long Failed { get; set; }

        public long DeadLettered { get; set; }

        public long Dropped { get; set; }

        public int PendingRetries { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorTime { get; set; }
    }

    private sealed class Subscription(string ns, JsonObject document, DateTimeOffset createdAt, Trigger[] triggers)
    {
        public string Namespace { get; } = ns;

        public JsonObject Document { get; set; } = document;

        public string Name => Document["name"]!.GetValue<string>();

        public string Eventbus => Document["eventbus"]!.GetValue<string>();

        public string State { get; set; } = "running";

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public Trigger[] Triggers { get; } = triggers;

        public List<DeadLetter> DeadLetters { get; } = [];

        public string? ResetTo { get; set; }

        public List<PullItem> Pending { get; } = [];

        public Dictionary<string, PullLease> Leases { get; } = new(StringComparer.Ordinal);

        public List<long> Acked { get; } = [];

        public List<(long Offset, int Attempt)> Handed { get; } = [];
    }
}
