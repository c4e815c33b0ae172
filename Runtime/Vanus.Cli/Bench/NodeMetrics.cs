using System.Globalization;
using Vanus.Cli.Client;
using Vanus.Client;

namespace Vanus.Cli.Bench;

/// <summary>The figures <c>bench timer</c> reads from a node's <c>/metrics</c>: its resident memory, managed heap and pending timers.</summary>
internal sealed record NodeMetrics(long ResidentBytes, long? GcHeapBytes, long PendingTimers)
{
    public const string Resident = "process_resident_memory_bytes";
    public const string GcHeap = "dotnet_gc_heap_size_bytes";
    public const string Pending = "vanus_timers_pending";

    /// <summary>Scrapes the node; a scrape without the resident memory or the pending timers means a node this benchmark cannot measure.</summary>
    public static async Task<NodeMetrics> ScrapeAsync(VanusClient client, CancellationToken cancellationToken)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "metrics", null, cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess)
        {
            throw new ServerRefusedException(reply);
        }

        var text = reply.BodyText;
        var resident = Sample(text, Resident)
            ?? throw new UnexpectedReplyException($"error: the node's /metrics has no {Resident}, so its memory per timer cannot be measured (a node older than the timer service?)");
        var pending = Sample(text, Pending)
            ?? throw new UnexpectedReplyException($"error: the node's /metrics has no {Pending}: it runs no timer service to measure");
        return new NodeMetrics((long)resident, (long?)Sample(text, GcHeap), (long)pending);
    }

    /// <summary>The value of the unlabelled sample <paramref name="name"/> in Prometheus text, or null when there is none.</summary>
    public static double? Sample(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            // "name value [timestamp]": anything else after the name is another metric or a labelled sample.
            var rest = line[name.Length..];
            if (rest.IsEmpty || rest[0] is not (' ' or '\t'))
            {
                continue;
            }

            rest = rest.TrimStart();
            var end = rest.IndexOfAny(' ', '\t');
            var value = end < 0 ? rest : rest[..end];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }
        }

        return null;
    }
}
