using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Ingest;

/// <summary>The gateway's own rules for ingested events, beyond the CloudEvents format: reserved names, the delivery time and the size limit.</summary>
internal static class EventChecks
{
    public const string ReservedPrefix = "xvanus";

    // "yyyy-MM-ddTHH:mm:ss.fffffffZ": counting the longest text form keeps the count cheap and never under the real one.
    private const int LongestTimestamp = 28;

    /// <summary>The first extension whose name is reserved for the runtime, or null; the delivery time is the one a producer may set.</summary>
    public static string? ReservedAttribute(Event e)
    {
        foreach (var (name, _) in e.Extensions)
        {
            if (name.StartsWith(ReservedPrefix, StringComparison.Ordinal) && name != DeliveryTimes.Attribute)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>An event's size as the limit counts it: data bytes plus the UTF-8 bytes of attribute values and extension names.</summary>
    public static long SizeOf(Event e)
    {
        long size = (e.Data?.Length ?? 0)
            + Utf8(e.Id) + Utf8(e.Source) + Utf8(e.Type)
            + Utf8(e.Subject) + Utf8(e.DataContentType) + Utf8(e.DataSchema)
            + (e.Time.HasValue ? LongestTimestamp : 0);
        foreach (var (name, value) in e.Extensions)
        {
            size += name.Length + (value.Kind == AttributeKind.Binary ? value.AsBinary.Length : Utf8(value.AsText ?? value.ToString()));
        }

        return size;
    }

    private static int Utf8(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);
}
