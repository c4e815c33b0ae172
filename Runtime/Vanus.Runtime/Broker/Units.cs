using System.Globalization;

namespace Vanus.Runtime.Broker;

/// <summary>
/// Reads and writes the durations (<c>250ms</c>, <c>5s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>) and sizes
/// (<c>512KB</c>, <c>64MB</c>, <c>10GB</c>, powers of 1000) of the HTTP contract, CLI and subscription documents.
/// </summary>
public static class Units
{
    private static readonly (string Unit, long Ticks)[] DurationUnits =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
        ("d", TimeSpan.TicksPerDay),
    ];

    private static readonly (string Unit, long Bytes)[] SizeUnits =
    [
        ("B", 1),
        ("KB", 1000),
        ("MB", 1000 * 1000),
        ("GB", 1000 * 1000 * 1000),
        ("TB", 1000L * 1000 * 1000 * 1000),
    ];

    /// <summary>Parses a duration such as <c>250ms</c> or <c>7d</c> (a non-negative integer and a unit); false with the reason otherwise.</summary>
    public static bool TryParseDuration(ReadOnlySpan<char> text, out TimeSpan value, out string? error)
    {
        value = default;
        if (!SplitNumber(text, out var number, out var unit, out error, "duration", "250ms, 5s, 30m, 12h or 7d"))
        {
            return false;
        }

        foreach (var (name, ticks) in DurationUnits)
        {
            if (unit.SequenceEqual(name))
            {
                if (number > TimeSpan.MaxValue.Ticks / ticks)
                {
                    error = $"'{text}' is too long a duration";
                    return false;
                }

                value = TimeSpan.FromTicks(number * ticks);
                return true;
            }
        }

        error = $"'{text}' has unit '{unit}', but a duration's unit must be ms, s, m, h or d (for example 250ms, 5s, 30m, 12h, 7d)";
        return false;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/> saying why.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseDuration(text, out var value, out var error) ? value : throw new FormatException(error);
    }

    /// <summary>Writes a duration in the largest unit that holds it exactly (<c>7d</c>, <c>90m</c>, <c>1500ms</c>); sub-millisecond parts are dropped.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Durations are not negative.");
        }

        var ticks = value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond);
        if (ticks == 0)
        {
            return "0s";
        }

        for (var i = DurationUnits.Length - 1; i >= 0; i--)
        {
            var (unit, unitTicks) = DurationUnits[i];
            if (ticks % unitTicks == 0)
            {
                return (ticks / unitTicks).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        throw new InvalidOperationException("Every whole number of milliseconds has a unit.");
    }

    /// <summary>Parses a size such as <c>512KB</c> or <c>10GB</c> (a non-negative integer and B, KB, MB, GB or TB, powers of 1000); false with the reason otherwise.</summary>
    public static bool TryParseSize(ReadOnlySpan<char> text, out long bytes, out string? error)
    {
        bytes = 0;
        if (!SplitNumber(text, out var number, out var unit, out error, "size", "512KB, 64MB or 10GB"))
        {
            return false;
        }

        foreach (var (name, factor) in SizeUnits)
        {
            if (unit.SequenceEqual(name))
            {
                if (number > long.MaxValue / factor)
                {
                    error = $"'{text}' is too large a size";
                    return false;
                }

                bytes = number * factor;
                return true;
            }
        }

        error = $"'{text}' has unit '{unit}', but a size's unit must be B, KB, MB, GB or TB (powers of 1000, for example 512KB, 64MB, 10GB)";
        return false;
    }

    /// <summary>Parses a size or throws <see cref="FormatException"/> saying why.</summary>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseSize(text, out var value, out var error) ? value : throw new FormatException(error);
    }

    /// <summary>Writes a size in the largest unit that holds it exactly (<c>10GB</c>, <c>1500KB</c>, <c>17B</c>).</summary>
    public static string FormatSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes == 0)
        {
            return "0B";
        }

        for (var i = SizeUnits.Length - 1; i >= 0; i--)
        {
            var (unit, factor) = SizeUnits[i];
            if (bytes % factor == 0)
            {
                return (bytes / factor).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        throw new InvalidOperationException("Every size is a whole number of bytes.");
    }

    private static bool SplitNumber(ReadOnlySpan<char> text, out long number, out ReadOnlySpan<char> unit, out string? error, string what, string examples)
    {
        number = 0;
        unit = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            error = text.IsEmpty
                ? $"an empty text is not a {what} (write it like {examples})"
                : $"'{text}' is not a {what}: it must start with a whole, non-negative number (write it like {examples})";
            return false;
        }

        if (digits == text.Length)
        {
            error = $"'{text}' has no unit (write it like {examples})";
            return false;
        }

        if (!long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            error = $"'{text}' has a number too large for a {what}";
            return false;
        }

        unit = text[digits..];
        error = null;
        return true;
    }
}
