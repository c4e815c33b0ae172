using System.Buffers;
using System.Text;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>
/// Which eventlog of a bus an event goes to. An event with the CloudEvents partitioning extension <c>partitionkey</c> goes to
/// eventlog <c>FNV-1a-64(UTF-8 bytes of the key) mod eventlog count</c> — FNV-1a with offset basis <c>0xcbf29ce484222325</c>
/// and prime <c>0x100000001b3</c>, the key taken in its canonical string form — so a key maps to the same eventlog across
/// restarts, nodes and versions. Events without a key are spread round-robin per bus by the node that takes them.
/// </summary>
public static class EventRouting
{
    /// <summary>The CloudEvents partitioning extension attribute that routes by key.</summary>
    public const string PartitionKeyAttribute = "partitionkey";

    private const ulong OffsetBasis = 0xcbf29ce484222325;
    private const ulong Prime = 0x100000001b3;

    /// <summary>The eventlog (0 to <paramref name="eventlogs"/> - 1) that events with <paramref name="partitionKey"/> go to.</summary>
    public static int EventlogFor(string partitionKey, int eventlogs)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventlogs);
        return (int)(Fnv1a64(partitionKey) % (ulong)eventlogs);
    }

    /// <summary>The partition key of an event in its canonical string form, or null when it has none.</summary>
    public static string? PartitionKeyOf(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Extensions.TryGet(PartitionKeyAttribute, out var value) ? value.AsText ?? value.ToString() : null;
    }

    /// <summary>FNV-1a 64 of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return Fnv1a64(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>FNV-1a 64 of <paramref name="bytes"/>.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }
}
