using System.Text.Json;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>Writes namespaces and eventbuses as the management API shows them (DESIGN §6).</summary>
internal static class CatalogWriter
{
    public static void Write(Utf8JsonWriter writer, NamespaceInfo ns)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, ns.Name);
        writer.WriteString("createdAt"u8, Rfc3339.Format(ns.CreatedAt));
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<NamespaceInfo> namespaces) => writer.WriteArray(namespaces, Write);

    public static void Write(Utf8JsonWriter writer, ClusterInfo cluster)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("nodes"u8);
        writer.WriteArray(cluster.Nodes, static (w, n) =>
        {
            w.WriteStartObject();
            w.WriteString("name"u8, n.Name);
            w.WriteString("http"u8, n.Http); // null when the node did not say
            w.WriteString("cluster"u8, n.Cluster);
            w.WriteString("status"u8, n.Status);
            w.WriteEndObject();
        });
        writer.WriteString("controller"u8, cluster.Controller);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, EventbusInfo bus)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, bus.Name);
        writer.WriteString("namespace"u8, bus.Namespace);
        writer.WritePropertyName("eventlogs"u8);
        writer.WriteStartArray();
        foreach (var log in bus.Eventlogs)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id"u8, log.Id);
            writer.WriteNumber("earliest"u8, log.Earliest);
            writer.WriteNumber("next"u8, log.Next);
            if (log.Leader is not null || log.Replicas is not null)
            {
                writer.WriteString("leader"u8, log.Leader);
                writer.WriteNumber("epoch"u8, log.Epoch);
                writer.WriteStartArray("replicas"u8);
                foreach (var replica in log.Replicas ?? [])
                {
                    writer.WriteStringValue(replica);
                }

                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("replicas"u8, bus.Replicas);
        writer.WriteString("sync"u8, Documents.SyncName(bus.Sync));
        writer.WritePropertyName("retention"u8);
        writer.WriteStartObject();
        if (bus.Retention.MaxAge is { } age)
        {
            writer.WriteString("age"u8, Units.FormatDuration(age));
        }

        if (bus.Retention.MaxBytes is { } bytes)
        {
            writer.WriteString("bytes"u8, Units.FormatSize(bytes));
        }

        writer.WriteEndObject();
        writer.WriteString("createdAt"u8, Rfc3339.Format(bus.CreatedAt));
        // A bus without one says so with null (the contract's documents list every member of an eventbus).
        writer.WriteString("deadLetterBus"u8, bus.DeadLetterBus);

        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<EventbusInfo> buses) => writer.WriteArray(buses, Write);
}
