using System.Text;
using System.Text.Json;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Client.Http;

/// <summary>Turns the node's JSON answers into the client's records; an answer of the wrong shape throws <see cref="VanusApiException"/> saying what is wrong.</summary>
internal static class AnswerReader
{
    public static T Read<T>(ApiAnswer answer, Func<JsonElement, T> read)
    {
        if (answer.IsEmpty)
        {
            throw answer.Unexpected("the body is empty");
        }

        using var document = answer.Json();
        try
        {
            return read(document.RootElement);
        }
        catch (CloudEventFormatException e)
        {
            throw answer.Unexpected($"an event in it is not a valid CloudEvent ({e.Message})");
        }
        catch (FormatException e)
        {
            throw answer.Unexpected(e.Message);
        }
    }

    public static EventbusInfo Eventbus(JsonElement e, string path)
    {
        JsonRead.ExpectObject(e, path);
        var logs = new List<EventlogInfo>();
        if (JsonRead.Array(e, "eventlogs", path) is { } array)
        {
            var i = 0;
            foreach (var log in array.EnumerateArray())
            {
                var at = $"{JsonRead.Join(path, "eventlogs")}[{i++}]";
                logs.Add(new EventlogInfo(
                    JsonRead.Int(log, "id", at) ?? throw new FormatException($"'{at}.id' is missing"),
                    JsonRead.Long(log, "earliest", at) ?? 0,
                    JsonRead.Long(log, "next", at) ?? 0));
            }
        }

        return new EventbusInfo(
            JsonRead.RequiredString(e, "name", path),
            JsonRead.StringOrNull(e, "namespace", path) ?? "",
            logs,
            JsonRead.Int(e, "replicas", path) ?? 1,
            JsonRead.StringOrNull(e, "sync", path),
            JsonRead.Time(e, "createdAt", path),
            JsonRead.StringOrNull(e, "deadLetterBus", path));
    }

    public static IReadOnlyList<EventbusInfo> Eventbuses(JsonElement e) => List(e, Eventbus);

    public static IReadOnlyList<EventPlacement> Placements(JsonElement e)
    {
        var array = JsonRead.Array(e, "events", "") ?? throw new FormatException("'events' is missing");
        var placements = new List<EventPlacement>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"events[{i++}]";
            placements.Add(new EventPlacement(
                JsonRead.RequiredString(item, "id", at),
                JsonRead.StringOrNull(item, "eventId", at),
                JsonRead.Int(item, "eventlog", at),
                JsonRead.Long(item, "offset", at),
                JsonRead.Time(item, "deliverytime", at)));
        }

        return placements;
    }

    /// <summary>
    /// Reads a subscription as GET shows it. The state, counts and eventlogs may sit at the top level or under <c>status</c>;
    /// counts missing at the top are summed over the eventlogs, and the newest eventlog error stands in for a missing <c>lastError</c>.
    /// </summary>
    public static SubscriptionStatus Subscription(JsonElement e, string path)
    {
        JsonRead.ExpectObject(e, path);
        var status = JsonRead.Object(e, "status", path) is { } nested ? (Element: nested, Path: JsonRead.Join(path, "status")) : (Element: e, Path: path);
        var logs = new List<EventlogProgress>();
        if (JsonRead.Array(status.Element, "eventlogs", status.Path) is { } array)
        {
            var i = 0;
            foreach (var log in array.EnumerateArray())
            {
                logs.Add(Progress(log, $"{JsonRead.Join(status.Path, "eventlogs")}[{i++}]"));
            }
        }

        var stateText = JsonRead.StringOrNull(status.Element, "state", status.Path) ?? JsonRead.StringOrNull(e, "state", path);
        var state = stateText?.ToUpperInvariant() switch
        {
            "RUNNING" => SubscriptionState.Running,
            "PAUSED" => SubscriptionState.Paused,
            _ => SubscriptionState.Unknown,
        };

        long Count(string name) => JsonRead.Long(status.Element, name, status.Path) ?? logs.Sum(l => Pick(l, name));
        var lastError = Error(status.Element, "lastError", status.Path)
            ?? logs.Select(l => l.LastError).Where(x => x is not null).OrderByDescending(x => x!.Time).FirstOrDefault();
        return new SubscriptionStatus(
            JsonRead.RequiredString(e, "name", path),
            JsonRead.RequiredString(e, "eventbus", path),
            state,
            JsonRead.StringOrNull(e, "sink", path),
            Count("delivered"),
            Count("failed"),
            Count("deadLettered"),
            Count("dropped"),
            lastError,
            logs)
        {
            Json = e.GetRawText(),
        };
    }

    public static IReadOnlyList<SubscriptionStatus> Subscriptions(JsonElement e) => List(e, Subscription);

    public static IReadOnlyList<(string Token, int Eventlog, long Offset, int Attempt, Event Event)> Pulled(JsonElement e)
    {
        var array = JsonRead.Array(e, "events", "") ?? throw new FormatException("'events' is missing");
        var pulled = new List<(string, int, long, int, Event)>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"events[{i++}]";
            var token = JsonRead.RequiredString(item, "token", at);
            var eventlog = JsonRead.Int(item, "eventlog", at) ?? throw new FormatException($"'{at}.eventlog' is missing");
            var offset = JsonRead.RequiredLong(item, "offset", at);
            var attempt = JsonRead.Int(item, "attempt", at) ?? 1;
            var body = JsonRead.Object(item, "event", at) ?? throw new FormatException($"'{at}.event' is missing");
            pulled.Add((token, eventlog, offset, attempt, JsonEventFormat.Decode(Encoding.UTF8.GetBytes(body.GetRawText()))));
        }

        return pulled;
    }

    public static int Acknowledged(JsonElement e) =>
        JsonRead.Int(e, "acknowledged", "") ?? throw new FormatException("'acknowledged' is missing");

    private static EventlogProgress Progress(JsonElement log, string path)
    {
        JsonRead.ExpectObject(log, path);
        var id = JsonRead.Int(log, "eventlog", path) ?? JsonRead.Int(log, "id", path) ?? throw new FormatException($"'{path}.eventlog' is missing");
        var committed = JsonRead.RequiredLong(log, "committed", path);
        var next = JsonRead.Long(log, "next", path);
        var lag = JsonRead.Long(log, "lag", path) ?? (next is { } n ? Math.Max(0, n - committed) : 0);
        return new EventlogProgress(
            id,
            committed,
            next,
            lag,
            JsonRead.Long(log, "delivered", path) ?? 0,
            JsonRead.Long(log, "failed", path) ?? 0,
            JsonRead.Long(log, "deadLettered", path) ?? 0,
            JsonRead.Long(log, "dropped", path) ?? 0,
            JsonRead.Int(log, "pendingRetries", path) ?? 0,
            Error(log, "lastError", path));
    }

    private static long Pick(EventlogProgress log, string count) => count switch
    {
        "delivered" => log.Delivered,
        "failed" => log.Failed,
        "deadLettered" => log.DeadLettered,
        _ => log.Dropped,
    };

    // The node may write the error as an object (message and time) or as a bare message.
    private static SinkError? Error(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var at = JsonRead.Join(path, name);
        return value.ValueKind switch
        {
            JsonValueKind.String => new SinkError(value.GetString()!, null),
            JsonValueKind.Object => new SinkError(
                JsonRead.StringOrNull(value, "message", at) ?? JsonRead.StringOrNull(value, "error", at) ?? throw new FormatException($"'{at}.message' is missing"),
                JsonRead.Time(value, "time", at)),
            _ => throw new FormatException($"'{at}' must be an object with message and time, not {value.ValueKind}"),
        };
    }

    private static List<T> List<T>(JsonElement e, Func<JsonElement, string, T> read)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"the body must be a JSON array, not {e.ValueKind}");
        }

        var array = e;
        var items = new List<T>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            items.Add(read(item, $"[{i++}]"));
        }

        return items;
    }
}
