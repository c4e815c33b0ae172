using System.Globalization;

namespace Vanus.Client.Http;

/// <summary>Writes durations the way subscription documents and query strings take them: <c>250ms</c>, <c>5s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>.</summary>
internal static class DurationText
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    /// <summary>The duration in the largest unit that holds it exactly; throws naming <paramref name="parameter"/> if it is negative or not whole milliseconds.</summary>
    public static string Format(TimeSpan value, string parameter)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameter, value, "A duration must not be negative.");
        }

        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            // The node's duration syntax stops at milliseconds; rounding silently would deploy a different policy than asked.
            throw new ArgumentOutOfRangeException(parameter, value, "A duration must be a whole number of milliseconds (the node reads 250ms, 5s, 30m, 12h, 7d).");
        }

        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        foreach (var (unit, ticks) in Units)
        {
            if (value.Ticks % ticks == 0)
            {
                return (value.Ticks / ticks).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        throw new InvalidOperationException("Every whole number of milliseconds has a unit.");
    }
}
