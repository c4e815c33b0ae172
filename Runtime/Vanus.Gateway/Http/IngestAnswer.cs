using System.Text.Json;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Http;

/// <summary>
/// Writes where ingested events went: <c>[{"id":..,"eventId":..,"eventlog":0,"offset":42}]</c>, or for an event held for
/// later delivery <c>{"id":..,"eventId":..,"deliverytime":"2026-11-28T12:00:00.123Z"}</c>.
/// </summary>
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
            if (e.DeliveryTime is { } due)
            {
                // A held event has no place in its bus until it is appended, so no eventId finds it yet.
                writer.WriteString("deliverytime"u8, Rfc3339.Format(due));
            }
            else
            {
                e.EventId.TryFormat(id, out var written, default, null);
                writer.WriteString("eventId"u8, id[..written]);
                writer.WriteNumber("eventlog"u8, e.Eventlog);
                writer.WriteNumber("offset"u8, e.Offset);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
