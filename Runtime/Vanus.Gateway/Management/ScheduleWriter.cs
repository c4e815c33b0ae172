using System.Text.Json;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>Writes schedules as the management API shows them (DESIGN §6): the document as a user writes it, then its status.</summary>
internal static class ScheduleWriter
{
    /// <summary>
    /// <c>name</c>, <c>namespace</c>, <c>eventbus</c>, <c>cron</c>, <c>timezone</c> and <c>interval</c> (null where unused,
    /// so the document can be sent back as it is), <c>event</c>, then <c>state</c>, <c>createdAt</c>, <c>nextOccurrence</c>,
    /// <c>lastFired</c>, <c>fired</c>, <c>missed</c> and <c>lastError</c>.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, ScheduleInfo info)
    {
        var spec = info.Spec;
        writer.WriteStartObject();
        writer.WriteString("name"u8, spec.Name);
        writer.WriteString("namespace"u8, info.Namespace);
        writer.WriteString("eventbus"u8, spec.Eventbus);
        if (spec.Cron is { } cron)
        {
            writer.WriteString("cron"u8, cron);
            writer.WriteString("timezone"u8, spec.TimeZone);
        }
        else
        {
            writer.WriteNull("cron"u8);
            writer.WriteNull("timezone"u8);
        }

        if (spec.Interval is { } interval)
        {
            writer.WriteString("interval"u8, Units.FormatDuration(interval));
        }
        else
        {
            writer.WriteNull("interval"u8);
        }

        writer.WritePropertyName("event"u8);
        Documents.WriteTemplate(writer, spec.Event);
        writer.WriteString("state"u8, info.State == ScheduleState.Active ? "active" : "stopped");
        writer.WriteString("createdAt"u8, Rfc3339.Format(info.CreatedAt));
        WriteTime(writer, "nextOccurrence"u8, info.NextOccurrence);
        WriteTime(writer, "lastFired"u8, info.LastFired);
        writer.WriteNumber("fired"u8, info.Fired);
        writer.WriteNumber("missed"u8, info.Missed);
        SubscriptionWriter.WriteLastError(writer, info.LastError is { } error ? (error.Message, error.Time) : null);

        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<ScheduleInfo> schedules) => writer.WriteArray(schedules, Write);

    private static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            writer.WriteString(name, Rfc3339.Format(t));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
