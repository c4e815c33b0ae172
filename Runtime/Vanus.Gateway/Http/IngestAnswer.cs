using System.Text.Json;
using Vanus.Cluster;

namespace Vanus.Gateway.Http;

/// <summary>Writes where ingested events went: <c>[{"id":..,"eventId":..,"eventlog":0,"offset":42}]</c>.</summary>
internal static class IngestAnswer
{
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<AppendedEvent> events)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("events"u8);
        WriteEvents(writer, events);
        writer.WriteEndObject();
    }

    public static void WriteEvents(Utf8JsonWriter writer, IReadOnlyList<AppendedEvent> events)
    {
        Span<char> id = stackalloc char[16];
        writer.WriteStartArray();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            writer.WriteStartObject();
            writer.WriteString("id"u8, e.Id);
            e.EventId.TryFormat(id, out var written, default, null);
            writer.WriteString("eventId"u8, id[..written]);
            writer.WriteNumber("eventlog"u8, e.Eventlog);
            writer.WriteNumber("offset"u8, e.Offset);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
