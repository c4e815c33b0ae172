using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Gateway.Ingest;
using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>The schedule document of DESIGN §6: <c>{"name","eventbus","cron"|"interval","timezone","event":{...}}</c>.</summary>
internal static partial class Documents
{
    private static readonly string[] ScheduleFields = ["name", "eventbus", "cron", "timezone", "interval", "event"];

    // A template's id stands in for the one each occurrence gets, so the strict CloudEvents reader can check the rest.
    private const string TemplateId = "template";

    /// <summary>Reads a schedule document: exactly one of cron (with an optional IANA time zone, UTC by default) and interval, and the event template.</summary>
    public static ScheduleSpec ReadSchedule(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        string? name = null, eventbus = null, cron = null, timezone = null;
        TimeSpan? interval = null;
        Event? template = null;
        try
        {
            ReadObject(ref reader, null, ScheduleFields, (ref Utf8JsonReader r, string field) =>
            {
                switch (field)
                {
                    case "name": name = ReadName(ref r, field); break;
                    case "eventbus": eventbus = ReadName(ref r, field); break;
                    case "cron": cron = ReadNonEmpty(ref r, field, "a cron expression such as \"*/5 * * * *\""); break;
                    case "timezone": timezone = ReadNonEmpty(ref r, field, "an IANA time zone such as \"America/New_York\""); break;
                    case "interval": interval = ReadInterval(ref r, field); break;
                    case "event": template = ReadTemplate(ref r, field); break;
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        if (name is null)
        {
            throw FieldException.Document("name", "is required");
        }

        if (eventbus is null)
        {
            throw FieldException.Document("eventbus", "is required: the name of the eventbus the schedule emits into");
        }

        if (cron is null && interval is null)
        {
            throw FieldException.Document("cron", "or interval is required: say when the schedule fires, such as \"cron\":\"*/5 * * * *\" or \"interval\":\"30s\"");
        }

        if (cron is not null && interval is not null)
        {
            throw FieldException.Document("interval", "cannot be given with cron: a schedule fires either on a cron expression or at an interval");
        }

        if (interval is not null && timezone is not null)
        {
            throw FieldException.Document("timezone", "applies to cron only: an interval counts from the schedule's creation");
        }

        if (template is null)
        {
            throw FieldException.Document("event", "is required: the CloudEvent each occurrence emits, such as {\"source\":\"/cron\",\"type\":\"tick\"}");
        }

        var spec = new ScheduleSpec(name, eventbus, template) { Cron = cron, Interval = interval, TimeZone = timezone ?? "UTC" };
        return ScheduleChecks.Check(spec) is { } problem ? throw FieldException.Document(problem.Field, problem.Reason) : spec;
    }

    /// <summary>Writes an event template as a schedule document holds it: the CloudEvent without the id and time each occurrence sets.</summary>
    public static void WriteTemplate(Utf8JsonWriter writer, Event template)
    {
        var node = JsonNode.Parse(JsonEventFormat.Encode(template))!.AsObject();
        node.Remove("id");
        node.Remove("time");
        node.WriteTo(writer);
    }

    private static string ReadNonEmpty(ref Utf8JsonReader reader, string field, string example)
    {
        var text = ReadString(ref reader, field);
        return text.Trim().Length > 0 ? text : throw FieldException.Document(field, $"must not be empty: give {example}");
    }

    private static TimeSpan ReadInterval(ref Utf8JsonReader reader, string field)
    {
        var text = ReadString(ref reader, field);
        if (!Units.TryParseDuration(text, out var interval, out var error))
        {
            throw FieldException.Document(field, $"must be a duration such as 30s, 5m or 1h: {error}");
        }

        if (interval < ScheduleSpec.MinInterval)
        {
            throw FieldException.Document(field, $"must be at least {Units.FormatDuration(ScheduleSpec.MinInterval)} (got '{text}')");
        }

        return interval <= ScheduleSpec.MaxInterval
            ? interval
            : throw FieldException.Document(field, $"must be at most {Units.FormatDuration(ScheduleSpec.MaxInterval)}; write a longer period as a cron expression (got '{text}')");
    }

    private static Event ReadTemplate(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw FieldException.Document(field, $"must be a CloudEvent as a JSON object, such as {{\"source\":\"/cron\",\"type\":\"tick\"}} (got {Describe(reader.TokenType)})");
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var node = JsonObject.Create(document.RootElement)!;
        if (node.ContainsKey("id"))
        {
            throw FieldException.Document($"{field}.id", "is set for each occurrence (the schedule's name and the occurrence's time); leave it out");
        }

        if (node.ContainsKey("time"))
        {
            throw FieldException.Document($"{field}.time", "is set to each occurrence's time; leave it out");
        }

        node["id"] = TemplateId;
        if (!node.ContainsKey("specversion"))
        {
            node["specversion"] = "1.0";
        }

        Event e;
        try
        {
            e = JsonEventFormat.Decode(JsonSerializer.SerializeToUtf8Bytes(node));
        }
        catch (CloudEventFormatException invalid)
        {
            throw FieldException.Document(invalid.Attribute is { } attribute ? $"{field}.{attribute}" : field, invalid.Rule);
        }

        return EventChecks.ReservedAttribute(e) is { } reserved
            ? throw FieldException.Document($"{field}.{reserved}", $"is reserved: attributes starting with '{EventChecks.ReservedPrefix}' are set by the runtime")
            : e;
    }
}
