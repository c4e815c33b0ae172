using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Ingest;

/// <summary>The gateway's own rules for ingested events, beyond the CloudEvents format: reserved names and the delivery time (sizes are counted by EventSize).</summary>
internal static class EventChecks
{
    public const string ReservedPrefix = "xvanus";

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
}
