using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vanus.Testing.Fakes;

/// <summary>
/// The schedule half of the fake node (DESIGN §6): documents checked by field as the node checks them, kept with the status
/// members a node adds (state, next occurrence, counts, last error), listed, described and deleted.
/// </summary>
public sealed partial class FakeNode
{
    private static readonly string[] ScheduleFields = ["name", "eventbus", "cron", "timezone", "interval", "event"];

    private readonly Dictionary<string, JsonObject> _schedules = new(StringComparer.Ordinal);

    /// <summary>The names of the schedules in a namespace, sorted.</summary>
    public IReadOnlyList<string> ScheduleNames(string ns = "default")
    {
        lock (_lock)
        {
            return [.. _schedules.Where(s => s.Key.StartsWith(ns + "/", StringComparison.Ordinal)).Select(s => s.Value["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Creates a schedule directly from its document (which must be valid), as a test's starting point.</summary>
    public void AddSchedule(string document, string ns = "default")
    {
        var doc = (JsonObject)JsonNode.Parse(document)!;
        lock (_lock)
        {
            _schedules.Add(Key(ns, doc["name"]!.GetValue<string>()), WithStatus(doc, ns));
        }
    }

    /// <summary>Sets a schedule's status members, as a node reports them after firing.</summary>
    public void SetScheduleStatus(string name, string? nextOccurrence, string? lastFired, long fired, long missed, string state = "active", string? lastError = null, string? lastErrorTime = null, string ns = "default")
    {
        lock (_lock)
        {
            var s = _schedules[Key(ns, name)];
            s["state"] = state;
            s["nextOccurrence"] = nextOccurrence;
            s["lastFired"] = lastFired;
            s["fired"] = fired;
            s["missed"] = missed;
            s["lastError"] = lastError is null ? null : new JsonObject { ["message"] = lastError, ["time"] = lastErrorTime };
        }
    }

    private void MapSchedules(WebApplication app)
    {
        const string schedules = "/api/v1/namespaces/{ns}/schedules";
        app.MapPost(schedules, CreateScheduleAsync);
        app.MapGet(schedules, ListSchedulesAsync);
        app.MapGet(schedules + "/{name}", GetScheduleAsync);
        app.MapDelete(schedules + "/{name}", DeleteScheduleAsync);
    }

    private async Task CreateScheduleAsync(HttpContext c)
    {
        var ns = Namespace(c);
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(((MemoryStream)c.Request.Body).ToArray()) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException ex)
        {
            await ProblemAsync(c, 400, "Invalid document", $"The document is not a JSON object: {ex.Message}");
            return;
        }

        if (CheckSchedule(doc) is { } problem)
        {
            await ProblemAsync(c, 400, "Invalid document", $"'{problem.Field}' {problem.Reason}.", ("field", problem.Field), ("reason", problem.Reason));
            return;
        }

        var name = doc["name"]!.GetValue<string>();
        var bus = doc["eventbus"]!.GetValue<string>();
        JsonObject stored;
        lock (_lock)
        {
            if (!_buses.ContainsKey(Key(ns, bus)))
            {
                stored = null!;
            }
            else if (_schedules.ContainsKey(Key(ns, name)))
            {
                stored = new JsonObject();
            }
            else
            {
                stored = WithStatus(doc, ns);
                _schedules.Add(Key(ns, name), stored);
            }
        }

        if (stored is null)
        {
            await ProblemAsync(c, 404, "Not found", $"eventbus '{bus}' does not exist in namespace '{ns}'", ("field", "eventbus"));
            return;
        }

        if (stored.Count == 0)
        {
            await ProblemAsync(c, 409, "Already exists", $"schedule '{name}' already exists in namespace '{ns}'", ("field", "name"));
            return;
        }

        await JsonAsync(c, 201, w => stored.WriteTo(w));
    }

    private async Task ListSchedulesAsync(HttpContext c)
    {
        var ns = Namespace(c);
        if (!_namespaces.Contains(ns))
        {
            await ProblemAsync(c, 404, "Not found", $"namespace '{ns}' does not exist", ("field", "namespace"));
            return;
        }

        string json;
        lock (_lock)
        {
            var list = new JsonArray([.. _schedules.Where(s => s.Key.StartsWith(ns + "/", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value.DeepClone())]);
            json = list.ToJsonString();
        }

        await JsonAsync(c, 200, w => JsonNode.Parse(json)!.WriteTo(w));
    }

    private async Task GetScheduleAsync(HttpContext c)
    {
        var (ns, name) = (Namespace(c), Route(c, "name"));
        string? json;
        lock (_lock)
        {
            json = _schedules.TryGetValue(Key(ns, name), out var s) ? s.ToJsonString() : null;
        }

        if (json is null)
        {
            await ProblemAsync(c, 404, "Not found", $"Namespace '{ns}' has no schedule '{name}'.", ("field", "schedule"));
            return;
        }

        await JsonAsync(c, 200, w => JsonNode.Parse(json)!.WriteTo(w));
    }

    private async Task DeleteScheduleAsync(HttpContext c)
    {
        var (ns, name) = (Namespace(c), Route(c, "name"));
        bool removed;
        lock (_lock)
        {
            removed = _schedules.Remove(Key(ns, name));
        }

        if (!removed)
        {
            await ProblemAsync(c, 404, "Not found", $"Namespace '{ns}' has no schedule '{name}'.", ("field", "schedule"));
            return;
        }

        c.Response.StatusCode = 204;
    }

    /// <summary>The node's checks that matter to the CLI: fields known, the required ones there, exactly one of cron and interval, a template without id or time.</summary>
    private static (string Field, string Reason)? CheckSchedule(JsonObject doc)
    {
        foreach (var (key, _) in doc)
        {
            if (!ScheduleFields.Contains(key))
            {
                return (key, "is not a field of this document");
            }
        }

        foreach (var required in new[] { "name", "eventbus", "event" })
        {
            if (doc[required] is null)
            {
                return (required, "is required");
            }
        }

        var cron = doc["cron"]?.GetValue<string>();
        var interval = doc["interval"]?.GetValue<string>();
        if ((cron is null) == (interval is null))
        {
            return cron is null ? ("cron", "or interval is required") : ("interval", "cannot be given with cron");
        }

        if (cron is not null && cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is not (5 or 6))
        {
            return ("cron", $"expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got {cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length}");
        }

        if (doc["timezone"]?.GetValue<string>() is { } zone && zone.Contains(' ', StringComparison.Ordinal))
        {
            return ("timezone", $"is not a time zone this node knows ('{zone}')");
        }

        if (doc["event"] is not JsonObject template)
        {
            return ("event", "must be a CloudEvent as a JSON object");
        }

        foreach (var member in new[] { "id", "time" })
        {
            if (template.ContainsKey(member))
            {
                return ($"event.{member}", "is set for each occurrence; leave it out");
            }
        }

        foreach (var member in new[] { "source", "type" })
        {
            if (template[member] is null)
            {
                return ($"event.{member}", "is required");
            }
        }

        return null;
    }

    private JsonObject WithStatus(JsonObject doc, string ns)
    {
        var cron = doc["cron"]?.GetValue<string>();
        return new JsonObject
        {
            ["name"] = doc["name"]!.GetValue<string>(),
            ["namespace"] = ns,
            ["eventbus"] = doc["eventbus"]!.GetValue<string>(),
            ["cron"] = cron,
            ["timezone"] = cron is null ? null : doc["timezone"]?.GetValue<string>() ?? "UTC",
            ["interval"] = doc["interval"]?.GetValue<string>(),
            ["event"] = doc["event"]!.DeepClone(),
            ["state"] = "active",
            ["createdAt"] = Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["nextOccurrence"] = null,
            ["lastFired"] = null,
            ["fired"] = 0,
            ["missed"] = 0,
            ["lastError"] = null,
        };
    }
}
