using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>
/// Delayed delivery: an event whose <c>xvanusdeliverytime</c> (an RFC 3339 timestamp) lies in the future is stored in the
/// node's timer bus when it is accepted and appended to its eventbus when that time comes; one whose time has passed is
/// appended at once.
/// </summary>
public static class DeliveryTimes
{
    /// <summary>The attribute a producer sets to hold an event until a time.</summary>
    public const string Attribute = "xvanusdeliverytime";

    /// <summary>
    /// Reads an event's delivery time: true with the time when it has a valid one, true with null when it has none, false
    /// with the reason when the attribute is there but is not an RFC 3339 timestamp.
    /// </summary>
    public static bool TryRead(Event e, out DateTimeOffset? time, out string? error)
    {
        ArgumentNullException.ThrowIfNull(e);
        (time, error) = (null, null);
        if (!e.Extensions.TryGet(Attribute, out var value))
        {
            return true;
        }

        if (value.Kind == AttributeKind.Timestamp)
        {
            time = value.AsTimestamp;
            return true;
        }

        string? why = null;
        if (value.AsText is { } text && Rfc3339.TryParse(text, out var parsed, out why))
        {
            time = parsed;
            return true;
        }

        error = $"'{Attribute}' must be an RFC 3339 timestamp such as 2026-11-28T12:00:00Z, not '{value}'{(why is null ? "" : $" ({why})")}";
        return false;
    }
}
