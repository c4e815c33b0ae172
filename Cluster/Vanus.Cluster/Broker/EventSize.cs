using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

/// <summary>A cheap upper-bound-ish estimate of the bytes an event holds in flight, for the node's pending-bytes bound.</summary>
internal static class EventSize
{
    private const int Overhead = 48;

    public static long Estimate(Event e)
    {
        long size = Overhead + e.Id.Length + e.Source.Length + e.Type.Length
            + (e.Subject?.Length ?? 0) + (e.DataContentType?.Length ?? 0) + (e.DataSchema?.Length ?? 0)
            + (e.Data?.Length ?? 0);
        foreach (var (name, value) in e.Extensions)
        {
            size += 8 + name.Length + (value.Kind == AttributeKind.Binary ? value.AsBinary.Length : value.AsText?.Length ?? 8);
        }

        return size;
    }
}
