using System.Buffers;
using System.Text;
using System.Text.Json;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Client.Http;

/// <summary>Writes the subscription document of DESIGN §6 from a pipeline: only what the pipeline sets, so the node's defaults apply to the rest.</summary>
internal static class DocumentWriter
{
    public static string Subscription(string name, SubscriptionPipeline pipeline) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("name"u8, name);
        w.WriteString("eventbus"u8, pipeline.Eventbus);
        if (pipeline.Filters.Length > 0)
        {
            w.WritePropertyName(SubscriptionFields.Filters);
            WriteFilters(w, pipeline);
        }

        if (pipeline.TransformerJson is { } transformer)
        {
            using var document = JsonDocument.Parse(transformer);
            w.WritePropertyName(SubscriptionFields.Transformer);
            document.RootElement.WriteTo(w);
        }

        if (pipeline.DelayValue is { } delay)
        {
            w.WriteString(SubscriptionFields.Delay, DurationText.Format(delay, SubscriptionFields.Delay));
        }

        if (pipeline.Sink is { } sink)
        {
            w.WriteString(SubscriptionFields.Sink, sink.Url);
            w.WriteString(SubscriptionFields.Protocol, "http"u8);
            if (sink.IsStructured)
            {
                w.WriteString(SubscriptionFields.Mode, "structured"u8);
            }

            if (sink.Headers.Count > 0)
            {
                w.WriteStartObject(SubscriptionFields.SinkHeaders);
                foreach (var (header, value) in sink.Headers)
                {
                    w.WriteString(header, value);
                }

                w.WriteEndObject();
            }
        }
        else
        {
            w.WriteString(SubscriptionFields.Protocol, "pull"u8);
        }

        if (pipeline.DeliverySettings is { IsEmpty: false } delivery)
        {
            w.WritePropertyName(SubscriptionFields.Delivery);
            WriteDelivery(w, delivery);
        }

        if (pipeline.From is { } from)
        {
            w.WriteString(SubscriptionFields.From, from.DocumentValue);
        }

        w.WriteEndObject();
    });

    /// <summary>The pipeline's filters as the document's <c>filters</c> array: each filter's own conjunction, concatenated.</summary>
    public static string Filters(SubscriptionPipeline pipeline) => Write(w => WriteFilters(w, pipeline));

    public static string Eventbus(string name, int eventlogs) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("name"u8, name);
        w.WriteNumber("eventlogs"u8, eventlogs);
        w.WriteEndObject();
    });

    public static string Reset(DateTimeOffset time) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("time"u8, Rfc3339.Format(time));
        w.WriteEndObject();
    });

    public static string Ack(IReadOnlyList<string> tokens) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("tokens"u8);
        foreach (var token in tokens)
        {
            w.WriteStringValue(token);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Delivery(DeliverySettings delivery) => Write(w => WriteDelivery(w, delivery));

    // Each filter is itself a conjunction (a filters array); the document's array is their concatenation.
    private static void WriteFilters(Utf8JsonWriter w, SubscriptionPipeline pipeline)
    {
        w.WriteStartArray();
        foreach (var filter in pipeline.Filters)
        {
            using var items = JsonDocument.Parse(filter.Json);
            foreach (var item in items.RootElement.EnumerateArray())
            {
                item.WriteTo(w);
            }
        }

        w.WriteEndArray();
    }

    private static void WriteDelivery(Utf8JsonWriter w, DeliverySettings d)
    {
        w.WriteStartObject();
        w.WriteNumberIfSet(SubscriptionFields.MaxAttempts, d.Attempts);

        if (d.Waits is { } waits)
        {
            w.WriteStartArray(SubscriptionFields.Backoff);
            for (var i = 0; i < waits.Count; i++)
            {
                w.WriteStringValue(DurationText.Format(waits[i], $"backoff[{i}]"));
            }

            w.WriteEndArray();
        }

        if (d.AttemptTimeout is { } timeout)
        {
            w.WriteString(SubscriptionFields.Timeout, DurationText.Format(timeout, SubscriptionFields.Timeout));
        }

        w.WriteBooleanIfSet(SubscriptionFields.DeadLetter, d.DeadLetters);
        w.WriteBooleanIfSet(SubscriptionFields.Ordered, d.InOrder);
        w.WriteNumberIfSet(SubscriptionFields.Inflight, d.InflightLimit);
        w.WriteNumberIfSet(SubscriptionFields.RateLimit, d.EventsPerSecond);

        w.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
