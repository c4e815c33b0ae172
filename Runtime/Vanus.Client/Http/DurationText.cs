using Vanus.Runtime.Broker;

namespace Vanus.Client.Http;

/// <summary>Writes a duration the client sends (the contract's <see cref="Units"/>), refusing what the contract cannot say: a negative or sub-millisecond duration.</summary>
internal static class DurationText
{
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

        return Units.FormatDuration(value);
    }
}
