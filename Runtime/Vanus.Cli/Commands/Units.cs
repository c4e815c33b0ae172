using System.Globalization;

namespace Vanus.Cli.Commands;

/// <summary>
/// Durations (<c>250ms</c>, <c>5s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>) and sizes (<c>512KB</c>, <c>64MB</c>, <c>10GB</c>,
/// powers of 1000) as DESIGN §6 writes them: a whole number and a unit, nothing else.
/// </summary>
internal static class Units
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
        ("KB", 1_000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
        ("TB", 1_000_000_000_000),
    ];

    /// <summary>Parses a duration; on success <paramref name="canonical"/> is the form sent to the node.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value, out string canonical, out string? error)
    {
        value = default;
        canonical = "";
        if (!Split(text, out var number, out var unit))
        {
            error = $"'{text}' is not a duration: write a whole number and a unit (ms, s, m, h or d), such as 30s or 7d";
            return false;
        }

        foreach (var (name, ticks) in DurationUnits)
        {
            if (unit == name)
            {
                if (number > TimeSpan.MaxValue.Ticks / ticks)
                {
                    error = $"'{text}' is too long a duration";
                    return false;
                }

                value = TimeSpan.FromTicks(number * ticks);
                canonical = string.Create(CultureInfo.InvariantCulture, $"{number}{name}");
                error = null;
                return true;
            }
        }

        error = unit.Length == 0
            ? $"'{text}' has no unit: write {text}s for seconds (units: ms, s, m, h, d)"
            : $"'{text}' has an unknown unit '{unit}' (units: ms, s, m, h, d)";
        return false;
    }

    /// <summary>Parses a size in bytes (a bare number counts as bytes); on success <paramref name="canonical"/> is the form sent to the node.</summary>
    public static bool TryParseSize(string text, out long bytes, out string canonical, out string? error)
    {
        bytes = 0;
        canonical = "";
        if (!Split(text, out var number, out var unit))
        {
            error = $"'{text}' is not a size: write a whole number and a unit (B, KB, MB, GB or TB; powers of 1000), such as 512KB or 10GB";
            return false;
        }

        foreach (var (name, scale) in SizeUnits)
        {
            if (unit.Length == 0 || unit.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                var s = unit.Length == 0 ? 1 : scale;
                if (number > long.MaxValue / s)
                {
                    error = $"'{text}' is too large a size";
                    return false;
                }

                bytes = number * s;
                canonical = string.Create(CultureInfo.InvariantCulture, $"{number}{(unit.Length == 0 ? "B" : name)}");
                error = null;
                return true;
            }
        }

        error = $"'{text}' has an unknown unit '{unit}' (units: B, KB, MB, GB, TB; powers of 1000)";
        return false;
    }

    private static bool Split(string text, out long number, out string unit)
    {
        number = 0;
        unit = "";
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        unit = text[digits..];
        foreach (var c in unit)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}
