using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;
using Vanus.Testing.Http;

namespace Vanus.Testing.Fakes;

/// <summary>A request as the fake node received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A stand-in for a Vanus node on 127.0.0.1 (an in-process Kestrel on a free port) that implements the DESIGN §6 paths
/// the CLI uses: it checks what it is sent as a node would, stores events in memory, records every request, and answers
/// refusals with RFC 9457 problem documents.
/// </summary>
public sealed partial class FakeNode : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Bus> _buses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal) { "default" };
    private long _ingestRequests;

    private FakeNode()
    {
    }

    private WebApplication App { get; set; } = null!;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The node's clock for store times (<c>xvanusstime</c>), moved by tests that query offsets by time.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Eventbuses whose ingest answers 429, as a node with full queues does ("*" for every eventbus).</summary>
    public ConcurrentDictionary<string, bool> Overloaded { get; } = new(StringComparer.Ordinal);

    /// <summary>When set and it returns true, it has answered the request instead of the contract (for replies outside it).</summary>
    public Func<HttpContext, Task<bool>>? Override { get; set; }

    /// <summary>Whether ingest requests are kept in <see cref="Requests"/> (the load tests turn it off).</summary>
    public bool RecordIngest { get; set; } = true;

    public long IngestRequests => Interlocked.Read(ref _ingestRequests);

    public static async Task<FakeNode> StartAsync()
    {
        var node = new FakeNode();
        (node.App, node.Endpoint) = await LoopbackHost.StartAsync(node.Map);
        return node;
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(string pathPrefix) => [.. Requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>Every event stored in a bus, by eventlog then offset.</summary>
    public IReadOnlyList<Event> Stored(string eventbus, string ns = "default")
    {
        lock (_lock)
        {
            return _buses.TryGetValue(Key(ns, eventbus), out var bus) ? [.. bus.Logs.SelectMany(l => l.Select(s => s.Event))] : [];
        }
    }

    public void AddEventbus(string name, int eventlogs = 1, string ns = "default")
    {
        lock (_lock)
        {
            _buses.Add(Key(ns, name), new Bus(ns, name, eventlogs, 1, "interval", null, Clock.GetUtcNow()));
        }
    }

    /// <summary>The JSON document the node gives for a bus, as <c>GET .../eventbuses/{name}</c> answers it.</summary>
    public string DocumentJson(string name, string ns = "default")
    {
        lock (_lock)
        {
            return Json(w => WriteBus(w, _buses[Key(ns, name)]));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DeliveriesIdleAsync();
        _sinkClient.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var ingest = context.Request.Path.StartsWithSegments("/namespaces") || context.Request.Path.StartsWithSegments("/gateway");
            if (ingest)
            {
                Interlocked.Increment(ref _ingestRequests);
            }

            if (!ingest || RecordIngest)
            {
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, context.Request.ContentType, body));
            }

            context.Request.Body = new MemoryStream(body);
            Pulse();
            try
            {
                if (Override is not { } handler || !await handler(context))
                {
                    await next(context);
                }
            }
            finally
            {
                Pulse();
            }
        });
        app.MapPost("/api/v1/namespaces/{ns}/eventbuses", CreateBusAsync);
        app.MapGet("/api/v1/namespaces/{ns}/eventbuses", ListBusesAsync);
        app.MapGet("/api/v1/namespaces/{ns}/eventbuses/{name}", GetBusAsync);
        app.MapDelete("/api/v1/namespaces/{ns}/eventbuses/{name}", DeleteBusAsync);
        app.MapPost("/namespaces/{ns}/eventbus/{name}/events", IngestAsync);
        app.MapPost("/gateway/{name}", IngestAsync);
        app.MapGet("/api/v1/namespaces/{ns}/eventbuses/{name}/events", ReadAsync);
        app.MapGet("/api/v1/namespaces/{ns}/eventbuses/{name}/events/{eventId}", ReadOneAsync);
        app.MapGet("/api/v1/namespaces/{ns}/eventbuses/{name}/offsets", OffsetsAsync);
        app.MapGet("/metrics", MetricsAsync);
        MapSubscriptions(app);
        MapSchedules(app);
    }

    // Kestrel leaves %2F encoded in the path (so it cannot split a segment); a route value gets the rest decoded.
    private static string Route(HttpContext c, string name) => Uri.UnescapeDataString((string)c.Request.RouteValues[name]!);

    private static string Namespace(HttpContext c) => c.Request.RouteValues.ContainsKey("ns") ? Route(c, "ns") : "default";

    private async Task CreateBusAsync(HttpContext c)
    {
        var ns = Namespace(c);
        if (!_namespaces.Contains(ns))
        {
            await ProblemAsync(c, 404, "Namespace not found", $"namespace '{ns}' does not exist");
            return;
        }

        JsonElement doc;
        try
        {
            doc = JsonDocument.Parse(((MemoryStream)c.Request.Body).ToArray()).RootElement;
        }
        catch (JsonException ex)
        {
            await ProblemAsync(c, 400, "Invalid eventbus", $"the body is not JSON: {ex.Message}");
            return;
        }

        if (!doc.TryGetProperty("name", out var nameValue) || nameValue.ValueKind != JsonValueKind.String || nameValue.GetString()!.Length == 0)
        {
            await ProblemAsync(c, 400, "Invalid eventbus", "'name' is required", ("field", "name"));
            return;
        }

        var name = nameValue.GetString()!;
        var eventlogs = doc.TryGetProperty("eventlogs", out var e) ? e.GetInt32() : 1;
        var replicas = doc.TryGetProperty("replicas", out var r) ? r.GetInt32() : 1;
        var sync = doc.TryGetProperty("sync", out var s) ? s.GetString()! : "interval";
        if (eventlogs is < 1 or > 64)
        {
            await ProblemAsync(c, 400, "Invalid eventbus", "'eventlogs' must be from 1 to 64", ("field", "eventlogs"));
            return;
        }

        if (replicas > 1)
        {
            await ProblemAsync(c, 400, "Invalid eventbus", $"'replicas' is {replicas} but the cluster has 1 node", ("field", "replicas"));
            return;
        }

        if (sync is not ("always" or "interval" or "none"))
        {
            await ProblemAsync(c, 400, "Invalid eventbus", $"'sync' must be always, interval or none, not '{sync}'", ("field", "sync"));
            return;
        }

        var retention = doc.TryGetProperty("retention", out var ret) ? ret.GetRawText() : null;
        Bus bus;
        lock (_lock)
        {
            if (_buses.ContainsKey(Key(ns, name)))
            {
                bus = null!;
            }
            else
            {
                bus = new Bus(ns, name, eventlogs, replicas, sync, retention, Clock.GetUtcNow());
                _buses.Add(Key(ns, name), bus);
            }
        }

        if (bus is null)
        {
            await ProblemAsync(c, 409, "Eventbus exists", $"eventbus '{name}' already exists in namespace '{ns}'", ("eventbus", name), ("field", "name"));
            return;
        }

        await JsonAsync(c, 201, w => WriteBus(w, bus));
    }

    private async Task ListBusesAsync(HttpContext c)
    {
        var ns = Namespace(c);
        if (!_namespaces.Contains(ns))
        {
            await ProblemAsync(c, 404, "Namespace not found", $"namespace '{ns}' does not exist");
            return;
        }

        Bus[] buses;
        lock (_lock)
        {
            buses = [.. _buses.Values.Where(b => b.Namespace == ns).OrderBy(b => b.Name, StringComparer.Ordinal)];
        }

        await JsonAsync(c, 200, w =>
        {
            w.WriteStartArray();
            foreach (var bus in buses)
            {
                WriteBus(w, bus);
            }

            w.WriteEndArray();
        });
    }

    private async Task GetBusAsync(HttpContext c)
    {
        if (await FindAsync(c) is { } bus)
        {
            FireHeld(bus);
            await JsonAsync(c, 200, w => WriteBus(w, bus));
        }
    }

    private async Task DeleteBusAsync(HttpContext c)
    {
        if (await FindAsync(c) is { } bus)
        {
            lock (_lock)
            {
                _buses.Remove(Key(bus.Namespace, bus.Name));
            }

            c.Response.StatusCode = 204;
        }
    }

    private async Task IngestAsync(HttpContext c)
    {
        if (await FindAsync(c) is not { } bus)
        {
            return;
        }

        if (Overloaded.ContainsKey(bus.Name) || Overloaded.ContainsKey("*"))
        {
            await ProblemAsync(c, 429, "Too many requests", "the node's queues are full; retry later");
            return;
        }

        IReadOnlyList<Event> events;
        try
        {
            var headers = c.Request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value.ToArray()!));
            events = HttpBinding.Decode(c.Request.ContentType, headers, ((MemoryStream)c.Request.Body).ToArray());
        }
        catch (CloudEventFormatException e)
        {
            await ProblemAsync(c, 400, "Invalid CloudEvent", e.Message, ("attribute", e.Attribute), ("index", e.Index));
            return;
        }

        var dues = new DateTimeOffset?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var (name, _) in events[i].Extensions)
            {
                if (name.StartsWith("xvanus", StringComparison.Ordinal) && name != DeliveryTimes.Attribute)
                {
                    await ProblemAsync(c, 400, "Invalid CloudEvent", $"attribute '{name}' is reserved", ("attribute", name), ("index", i));
                    return;
                }
            }

            if (!DeliveryTimes.TryRead(events[i], out dues[i], out var error))
            {
                await ProblemAsync(c, 400, "Invalid CloudEvent", error!, ("attribute", DeliveryTimes.Attribute), ("index", i));
                return;
            }
        }

        var placed = new List<(string Id, int Eventlog, long Offset, DateTimeOffset? Due)>();
        var stored = new List<(int Eventlog, StoredEvent Event)>();
        lock (_lock)
        {
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (dues[i] is { } due && due > Clock.GetUtcNow())
                {
                    placed.Add((e.Id, 0, Hold(bus, e, due), due));
                    continue;
                }

                var log = e.Extensions.TryGet("partitionkey", out var key) ? (int)(Fnv(key.ToString()) % (uint)bus.Logs.Length) : bus.NextRoundRobin();
                var offset = bus.Logs[log].Count;
                var s = new StoredEvent(e, offset, Clock.GetUtcNow());
                bus.Logs[log].Add(s);
                placed.Add((e.Id, log, offset, null));
                stored.Add((log, s));
            }
        }

        Deliver(bus, stored);

        await JsonAsync(c, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("events");
            foreach (var (id, log, offset, due) in placed)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("eventId", EventId(log, offset));
                if (due is { } at)
                {
                    w.WriteString("deliverytime", Rfc3339.Format(at));
                }
                else
                {
                    w.WriteNumber("eventlog", log);
                    w.WriteNumber("offset", offset);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task ReadAsync(HttpContext c)
    {
        if (await FindAsync(c) is not { } bus)
        {
            return;
        }

        var q = c.Request.Query;
        if (!int.TryParse(q["eventlog"], CultureInfo.InvariantCulture, out var log) || log < 0 || log >= bus.Logs.Length)
        {
            await ProblemAsync(c, 400, "Invalid read", $"'eventlog' must be from 0 to {bus.Logs.Length - 1}", ("field", "eventlog"));
            return;
        }

        if (!long.TryParse(q["offset"], CultureInfo.InvariantCulture, out var offset) || offset < 0 || !int.TryParse(q["count"], CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            await ProblemAsync(c, 400, "Invalid read", "'offset' and 'count' are required", ("field", "offset"));
            return;
        }

        Event[] events;
        lock (_lock)
        {
            events = [.. bus.Logs[log].Skip((int)offset).Take(count).Select(s => WithVanusAttributes(bus, log, s))];
        }

        c.Response.StatusCode = 200;
        c.Response.ContentType = JsonEventFormat.BatchMediaType;
        await c.Response.Body.WriteAsync(JsonEventFormat.EncodeBatch(events));
    }

    private async Task ReadOneAsync(HttpContext c)
    {
        if (await FindAsync(c) is not { } bus)
        {
            return;
        }

        var text = Route(c, "eventId");
        if (text.Length != 16 || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            await ProblemAsync(c, 400, "Invalid event id", $"'{text}' is not an eventId (16 hex digits)", ("field", "eventId"));
            return;
        }

        var log = (int)(value >> 56);
        var offset = (long)(value & ((1UL << 56) - 1));
        Event? found = null;
        lock (_lock)
        {
            if (log < bus.Logs.Length && offset < bus.Logs[log].Count)
            {
                found = WithVanusAttributes(bus, log, bus.Logs[log][(int)offset]);
            }
        }

        if (found is null)
        {
            await ProblemAsync(c, 404, "Event not found", $"no event '{text}' in eventbus '{bus.Name}'");
            return;
        }

        c.Response.StatusCode = 200;
        c.Response.ContentType = JsonEventFormat.StructuredMediaType;
        await c.Response.Body.WriteAsync(JsonEventFormat.Encode(found));
    }

    private async Task OffsetsAsync(HttpContext c)
    {
        if (await FindAsync(c) is not { } bus)
        {
            return;
        }

        var text = c.Request.Query["time"].ToString();
        if (!Rfc3339.TryParse(text, out var time, out var why))
        {
            await ProblemAsync(c, 400, "Invalid time", $"'time' {why}", ("field", "time"));
            return;
        }

        long[] offsets;
        lock (_lock)
        {
            offsets = [.. bus.Logs.Select(l => l.FirstOrDefault(s => s.StoreTime >= time)?.Offset ?? l.Count)];
        }

        await JsonAsync(c, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("offsets");
            for (var i = 0; i < offsets.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("eventlog", i);
                w.WriteNumber("offset", offsets[i]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task<Bus?> FindAsync(HttpContext c)
    {
        var ns = Namespace(c);
        var name = Route(c, "name");
        lock (_lock)
        {
            if (_buses.TryGetValue(Key(ns, name), out var bus))
            {
                return bus;
            }
        }

        await ProblemAsync(c, 404, "Eventbus not found", $"eventbus '{name}' does not exist in namespace '{ns}'", ("eventbus", name), ("field", "eventbus"));
        return null;
    }

    private Event WithVanusAttributes(Bus bus, int log, StoredEvent s) => s.Event
        .WithExtension("xvanusstime", AttributeValue.FromString(Rfc3339.FormatMicroseconds(s.StoreTime)))
        .WithExtension("xvanuseventbus", AttributeValue.FromString(bus.Name))
        .WithExtension("xvanuseventlog", AttributeValue.FromInteger(log))
        .WithExtension("xvanusoffset", AttributeValue.FromInteger((int)s.Offset));

    public static string EventId(int eventlog, long offset) => (((ulong)(uint)eventlog << 56) | (ulong)offset).ToString("x16", CultureInfo.InvariantCulture);

    private static uint Fnv(string key)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    private static void WriteBus(Utf8JsonWriter w, Bus bus)
    {
        w.WriteStartObject();
        w.WriteString("name", bus.Name);
        w.WriteString("namespace", bus.Namespace);
        w.WriteString("sync", bus.Sync);
        w.WriteNumber("replicas", bus.Replicas);
        w.WritePropertyName("retention");
        if (bus.Retention is { } retention)
        {
            w.WriteRawValue(retention);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteString("createdAt", Rfc3339.Format(bus.CreatedAt));
        w.WriteString("deadLetterBus", $"{bus.Name}-dl");
        w.WriteStartArray("eventlogs");
        for (var i = 0; i < bus.Logs.Length; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", i);
            w.WriteNumber("earliest", 0);
            w.WriteNumber("next", bus.Logs[i].Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task JsonAsync(HttpContext c, int status, Action<Utf8JsonWriter> write)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        await c.Response.WriteAsync(Json(write));
    }

    /// <summary>
    /// Answers an RFC 9457 problem as the node does: <c>type</c> is <c>urn:vanus:problem:</c> and the kind (from the status,
    /// unless a member named <c>kind</c> gives it), then title, status, detail and the other members.
    /// </summary>
    internal static async Task ProblemAsync(HttpContext c, int status, string title, string detail, params (string Name, object? Value)[] members)
    {
        var kind = members.FirstOrDefault(m => m.Name == "kind").Value as string ?? status switch
        {
            400 => "invalid-request",
            404 => "not-found",
            409 => "already-exists",
            415 => "unsupported-media-type",
            429 => "overloaded",
            503 => "unavailable",
            _ => "internal",
        };
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/problem+json";
        await c.Response.WriteAsync(Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "urn:vanus:problem:" + kind);
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            w.WriteString("detail", detail);
            w.WriteString("instance", c.Request.Path.Value);
            foreach (var (name, value) in members.Where(m => m.Name != "kind"))
            {
                switch (value)
                {
                    case null: break;
                    case int i: w.WriteNumber(name, i); break;
                    default: w.WriteString(name, value.ToString()); break;
                }
            }

            w.WriteEndObject();
        }));
    }

    /// <summary>A problem of a <paramref name="kind"/> (its title too), with the members the contract defines: for a test's own answer.</summary>
    internal static Task ProblemOfKindAsync(HttpContext c, int status, string kind, string detail, string? field = null, string? reason = null, string? attribute = null, string? rule = null, int? eventIndex = null) =>
        ProblemAsync(c, status, kind, detail, ("kind", kind), ("field", field), ("reason", reason), ("attribute", attribute), ("rule", rule), ("eventIndex", eventIndex));

    private sealed record StoredEvent(Event Event, long Offset, DateTimeOffset StoreTime);

    private sealed class Bus(string ns, string name, int eventlogs, int replicas, string sync, string? retention, DateTimeOffset createdAt)
    {
        private int _next;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string Namespace { get; } = ns;

        public string Name { get; } = name;

        public int Replicas { get; } = replicas;

        public string Sync { get; } = sync;

        public string? Retention { get; } = retention;

        public List<StoredEvent>[] Logs { get; } = [.. Enumerable.Range(0, eventlogs).Select(_ => new List<StoredEvent>())];

        public int NextRoundRobin() => _next++ % Logs.Length;
    }
}
