using System.Text.Json;
using Vanus.Operators.Filters;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>Writes subscriptions, dry runs and pulled events as the management API shows them (DESIGN §6).</summary>
internal static class SubscriptionWriter
{
    /// <summary>What reads show in place of each sink header value.</summary>
    public const string Masked = "***";

    /// <summary>The document's fields in the form a user writes them, then state, counts, the last sink error and per-eventlog progress.</summary>
    public static void Write(Utf8JsonWriter writer, SubscriptionInfo info)
    {
        var spec = info.Spec;
        writer.WriteStartObject();
        writer.WriteString("name"u8, spec.Name);
        writer.WriteString("namespace"u8, info.Namespace);
        writer.WriteString("eventbus"u8, spec.Eventbus);
        writer.WritePropertyName(SubscriptionFields.Filters);
        writer.WriteRawValue(spec.Filters ?? "[]");
        writer.WritePropertyName(SubscriptionFields.Transformer);
        if (spec.Transformer is { } transformer)
        {
            writer.WriteRawValue(transformer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteString(SubscriptionFields.Delay, Units.FormatDuration(spec.Delay));
        writer.WriteString(SubscriptionFields.Sink, spec.Sink);

        writer.WriteString(SubscriptionFields.Protocol, Documents.ProtocolName(spec.Protocol));
        writer.WriteString(SubscriptionFields.Mode, Documents.ModeName(spec.Mode));
        writer.WritePropertyName(SubscriptionFields.SinkHeaders);
        writer.WriteStartObject();
        foreach (var (name, _) in spec.SinkHeaders)
        {
            // Write-only (DESIGN §7): header values are credentials more often than not.
            writer.WriteString(name, Masked);
        }

        writer.WriteEndObject();
        var delivery = spec.Delivery;
        writer.WritePropertyName(SubscriptionFields.Delivery);
        writer.WriteStartObject();
        writer.WriteNumber(SubscriptionFields.MaxAttempts, delivery.MaxAttempts);
        writer.WritePropertyName(SubscriptionFields.Backoff);
        writer.WriteStartArray();
        foreach (var wait in delivery.Backoff)
        {
            writer.WriteStringValue(Units.FormatDuration(wait));
        }

        writer.WriteEndArray();
        writer.WriteString(SubscriptionFields.Timeout, Units.FormatDuration(delivery.Timeout));
        writer.WriteBoolean(SubscriptionFields.DeadLetter, delivery.DeadLetter);
        writer.WriteBoolean(SubscriptionFields.Ordered, delivery.Ordered);
        writer.WriteNumber(SubscriptionFields.Inflight, delivery.Inflight);
        writer.WriteNumber(SubscriptionFields.RateLimit, delivery.RateLimit);
        writer.WriteEndObject();
        writer.WriteString(SubscriptionFields.From, Documents.StartName(spec.From));

        writer.WriteString("state"u8, Documents.StateName(info.State));
        writer.WriteString("createdAt"u8, Rfc3339.Format(info.CreatedAt));
        writer.WriteNumber("delivered"u8, info.Delivered);
        writer.WriteNumber("failed"u8, info.Failed);
        writer.WriteNumber("deadLettered"u8, info.DeadLettered);
        writer.WriteNumber("dropped"u8, info.Dropped);
        WriteError(writer, info.LastError);
        writer.WritePropertyName("eventlogs"u8);
        writer.WriteStartArray();
        foreach (var trigger in info.Eventlogs)
        {
            writer.WriteStartObject();
            writer.WriteNumber("eventlog"u8, trigger.Eventlog);
            writer.WriteNumber("committed"u8, trigger.Committed);
            writer.WriteNumber("next"u8, trigger.Next);
            writer.WriteNumber("lag"u8, trigger.Lag);
            writer.WriteNumber("delivered"u8, trigger.Delivered);
            writer.WriteNumber("failed"u8, trigger.Failed);
            writer.WriteNumber("deadLettered"u8, trigger.DeadLettered);
            writer.WriteNumber("dropped"u8, trigger.Dropped);
            writer.WriteNumber("pendingRetries"u8, trigger.PendingRetries);
            WriteError(writer, trigger.LastError);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<SubscriptionInfo> subscriptions) => writer.WriteArray(subscriptions, Write);

    /// <summary>A dry run: <c>{"filterPassed","delivered","events":[...],"error":null|{"action","pipelineIndex","reason","message"}}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, SubscriptionPreviewResult result)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("filterPassed"u8, result.FilterPassed);
        writer.WriteBoolean("delivered"u8, result.Delivered);
        writer.WritePropertyName("events"u8);
        writer.WriteStartArray();
        foreach (var e in result.Events)
        {
            JsonEventFormat.Write(writer, e);
        }

        writer.WriteEndArray();
        if (result.Error is { } error)
        {
            writer.WritePropertyName("error"u8);
            writer.WriteStartObject();
            writer.WriteString("action"u8, error.Action);
            if (error.PipelineIndex is { } index)
            {
                writer.WriteNumber("pipelineIndex"u8, index);
            }
            else
            {
                writer.WriteNull("pipelineIndex"u8);
            }

            writer.WriteString("reason"u8, error.Reason);
            writer.WriteString("message"u8, error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error"u8);
        }

        writer.WriteEndObject();
    }

    /// <summary>One pulled event: <c>{"token","eventlog","offset","attempt","event":{...}}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, PulledEvent pulled)
    {
        writer.WriteStartObject();
        writer.WriteString("token"u8, pulled.Token);
        writer.WriteNumber("eventlog"u8, pulled.Eventlog);
        writer.WriteNumber("offset"u8, pulled.Offset);
        writer.WriteNumber("attempt"u8, pulled.Attempt);
        writer.WritePropertyName("event"u8);
        JsonEventFormat.Write(writer, pulled.Event);
        writer.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter writer, SinkError? error) =>
        WriteLastError(writer, error is null ? null : (error.Message, error.Time));

    /// <summary>Writes <c>lastError</c> as a subscription or schedule shows it: <c>{"message","time"}</c>, or null when there was none.</summary>
    internal static void WriteLastError(Utf8JsonWriter writer, (string Message, DateTimeOffset Time)? error)
    {
        if (error is not { } e)
        {
            writer.WriteNull("lastError"u8);
            return;
        }

        writer.WritePropertyName("lastError"u8);
        writer.WriteStartObject();
        writer.WriteString("message"u8, e.Message);
        writer.WriteString("time"u8, Rfc3339.Format(e.Time));
        writer.WriteEndObject();
    }
}
