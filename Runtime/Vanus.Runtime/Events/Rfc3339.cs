using System.Globalization;

namespace Vanus.Runtime.Events;

/// <summary>Strict RFC 3339 timestamps: parses exactly the profile CloudEvents requires and formats in UTC.</summary>
public static class Rfc3339
{
    /// <summary>Parses an RFC 3339 date-time (<c>2018-04-05T17:31:00.123Z</c>, <c>...+01:00</c>); returns false with the reason otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value, out string? error)
    {
        value = default;
        // full-date "T" partial-time time-offset; the shortest form is 2018-04-05T17:31:00Z (20 chars).
        if (text.Length < 20)
        {
            error = "is too short for an RFC 3339 date-time (yyyy-MM-ddTHH:mm:ssZ)";
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || text[4] != '-' || !Digits(text, 5, 2, out var month) || text[7] != '-' || !Digits(text, 8, 2, out var day))
        {
            error = "does not start with an RFC 3339 full-date (yyyy-MM-dd)";
            return false;
        }

        if (text[10] is not ('T' or 't'))
        {
            error = "has no 'T' between date and time";
            return false;
        }

        if (!Digits(text, 11, 2, out var hour) || text[13] != ':' || !Digits(text, 14, 2, out var minute) || text[16] != ':' || !Digits(text, 17, 2, out var second))
        {
            error = "has no RFC 3339 partial-time (HH:mm:ss)";
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            error = "names a date or time that does not exist";
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (text[i] == '.')
        {
            i++;
            var start = i;
            long scale = TimeSpan.TicksPerSecond;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                // Digits past 100 ns are accepted and truncated: .NET keeps ticks, CloudEvents needs milliseconds.
                if (scale > 1)
                {
                    scale /= 10;
                    fractionTicks += (text[i] - '0') * scale;
                }

                i++;
            }

            if (i == start)
            {
                error = "has a '.' with no fraction digits after it";
                return false;
            }
        }

        if (i >= text.Length)
        {
            error = "has no time offset ('Z' or ±HH:mm)";
            return false;
        }

        TimeSpan offset;
        if (text[i] is 'Z' or 'z')
        {
            offset = TimeSpan.Zero;
            i++;
        }
        else if (text[i] is '+' or '-')
        {
            if (i + 6 != text.Length || !Digits(text, i + 1, 2, out var oh) || text[i + 3] != ':' || !Digits(text, i + 4, 2, out var om))
            {
                error = "has a time offset that is not ±HH:mm";
                return false;
            }

            if (oh > 23 || om > 59)
            {
                error = "has a time offset out of range";
                return false;
            }

            offset = new TimeSpan(oh, om, 0);
            if (text[i] == '-')
            {
                offset = -offset;
            }

            i += 6;
        }
        else
        {
            error = "has no time offset ('Z' or ±HH:mm)";
            return false;
        }

        if (i != text.Length)
        {
            error = "has characters after the time offset";
            return false;
        }

        try
        {
            // A leap second (:60) is read as the first instant of the next minute.
            var leap = second == 60;
            var dt = new DateTimeOffset(year, month, day, hour, minute, leap ? 59 : second, offset).AddTicks(fractionTicks);
            value = leap ? dt.AddSeconds(1) : dt;
        }
        catch (ArgumentOutOfRangeException)
        {
            error = "is outside the representable range of instants";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Parses an RFC 3339 date-time or throws <see cref="FormatException"/> saying why.</summary>
    public static DateTimeOffset Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value, out var error) ? value : throw new FormatException($"'{text}' {error}.");
    }

    /// <summary>Formats an instant in UTC with as many fraction digits as it needs (none for whole seconds).</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction == 0)
        {
            return utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return text + "Z";
    }

    /// <summary>Formats an instant in UTC with exactly six fraction digits, the form of <c>xvanusstime</c>.</summary>
    public static string FormatMicroseconds(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var c = text[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
