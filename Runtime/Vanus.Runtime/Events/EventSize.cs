using System.Text;

namespace Vanus.Runtime.Events;

/// <summary>The one measure of an event's size: what the ingest limit counts, and what the node's in-flight bound adds up.</summary>
public static class EventSize
{
    // "yyyy-MM-ddTHH:mm:ss.fffffffZ": counting the longest text form keeps the count cheap and never under the real one.
    private const int LongestTimestamp = 28;

    /// <summary>The data bytes plus the UTF-8 bytes of the attribute values and extension names.</summary>
    public static long Of(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
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
