using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Vanus.Operators.Cel;

/// <summary>
/// CEL's timestamps (google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z) and durations
/// (64-bit nanoseconds, about ±292 years, as in CEL's reference implementation), both with nanosecond precision. Arithmetic goes through 128-bit
/// nanosecond totals so that range errors are detected rather than wrapped.
/// </summary>
internal static class CelTime
{
    public const long MinTimestampSeconds = -62135596800;   // 0001-01-01T00:00:00Z
    public const long MaxTimestampSeconds = 253402300799;   // 9999-12-31T23:59:59Z
    private const long NanosPerSecond = 1_000_000_000;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    public static Int128 TotalNanos(in CelValue value) => (Int128)value.Seconds * NanosPerSecond + value.Nanos;

    public static CelValue Timestamp(Int128 nanos)
    {
        var seconds = (long)Int128.Clamp(FloorDiv(nanos, NanosPerSecond), long.MinValue, long.MaxValue);
        if (seconds < MinTimestampSeconds || seconds > MaxTimestampSeconds)
        {
            return CelValue.Error("timestamp out of range");
        }

        return CelValue.Timestamp(seconds, (int)(nanos - (Int128)seconds * NanosPerSecond));
    }

    public static CelValue Duration(Int128 nanos)
    {
        // CEL's reference implementation holds durations as 64-bit nanoseconds (about ±292 years), and the
        // conformance suite expects the range errors that follow from that, e.g. for 9999-12-31 minus 0001-01-01.
        if (nanos > long.MaxValue || nanos < long.MinValue)
        {
            return CelValue.Error("duration out of range");
        }

        var seconds = (long)FloorDiv(nanos, NanosPerSecond);
        return CelValue.Duration(seconds, (int)(nanos - (Int128)seconds * NanosPerSecond));
    }

    public static CelValue TimestampFromUnixSeconds(long seconds) =>
        seconds < MinTimestampSeconds || seconds > MaxTimestampSeconds ? CelValue.Error("timestamp out of range") : CelValue.Timestamp(seconds, 0);

    public static CelValue FromDateTimeOffset(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTime.UnixEpoch.Ticks;
        return Timestamp((Int128)ticks * 100);
    }

    /// <summary>Parses an RFC 3339 timestamp with up to nine fraction digits, as <c>timestamp(string)</c> takes it.</summary>
    public static CelValue ParseTimestamp(string text)
    {
        var s = text.AsSpan();
        var dash = s.IndexOf('-');
        if (dash < 4)
        {
            return CelValue.Error($"timestamp('{text}'): not an RFC 3339 date-time");
        }

        if (dash > 4)
        {
            return CelValue.Error($"timestamp('{text}'): timestamp out of range");
        }

        if (s.Length < 20 || !Digits(s, 0, 4, out var year) || s[4] != '-' || !Digits(s, 5, 2, out var month) || s[7] != '-'
            || !Digits(s, 8, 2, out var day) || s[10] is not ('T' or 't') || !Digits(s, 11, 2, out var hour) || s[13] != ':'
            || !Digits(s, 14, 2, out var minute) || s[16] != ':' || !Digits(s, 17, 2, out var second))
        {
            return CelValue.Error($"timestamp('{text}'): not an RFC 3339 date-time");
        }

        if (year == 0)
        {
            return CelValue.Error($"timestamp('{text}'): timestamp out of range");
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return CelValue.Error($"timestamp('{text}'): names a date or time that does not exist");
        }

        var i = 19;
        long nanos = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var digits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (digits < 9)
                {
                    nanos = nanos * 10 + (s[i] - '0');
                }

                digits++;
                i++;
            }

            if (digits == 0)
            {
                return CelValue.Error($"timestamp('{text}'): fraction of a second without digits");
            }

            for (var d = digits; d < 9; d++)
            {
                nanos *= 10;
            }
        }

        long offsetSeconds;
        if (i < s.Length && s[i] is 'Z' or 'z')
        {
            offsetSeconds = 0;
            i++;
        }
        else if (i + 6 == s.Length && s[i] is '+' or '-' && Digits(s, i + 1, 2, out var oh) && s[i + 3] == ':' && Digits(s, i + 4, 2, out var om) && oh < 24 && om < 60)
        {
            offsetSeconds = (s[i] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
            i += 6;
        }
        else
        {
            return CelValue.Error($"timestamp('{text}'): needs a time offset (Z or ±hh:mm)");
        }

        if (i != s.Length)
        {
            return CelValue.Error($"timestamp('{text}'): unexpected text after the time offset");
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        var seconds = (local.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond - offsetSeconds;
        return Timestamp((Int128)seconds * NanosPerSecond + nanos);
    }

    /// <summary>Formats a timestamp as RFC 3339 in UTC with as many fraction digits as needed (Go's RFC3339Nano).</summary>
    public static string FormatTimestamp(in CelValue value)
    {
        var dt = DateTime.UnixEpoch.AddSeconds(value.Seconds);
        var sb = new StringBuilder(32);
        sb.Append(dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(sb, value.Nanos);
        sb.Append('Z');
        return sb.ToString();
    }

    /// <summary>Parses a duration in Go's syntax (<c>1h30m</c>, <c>-1.5s</c>, <c>100ms</c>, units h, m, s, ms, us, µs, ns).</summary>
    public static CelValue ParseDuration(string text)
    {
        var s = text.AsSpan();
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        if (s[i..] is "0")
        {
            return CelValue.Duration(0, 0);
        }

        if (i == s.Length)
        {
            return CelValue.Error($"duration('{text}'): not a duration");
        }

        Int128 total = 0;
        var limit = (Int128)long.MaxValue * 2;
        while (i < s.Length)
        {
            var start = i;
            Int128 whole = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                whole = whole * 10 + (s[i] - '0');
                if (whole > limit)
                {
                    return CelValue.Error($"duration('{text}'): duration out of range");
                }

                i++;
            }

            var hasWhole = i > start;
            Int128 fraction = 0;
            Int128 scale = 1;
            var hasFraction = false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (scale < (Int128)1_000_000_000_000_000_000)
                    {
                        fraction = fraction * 10 + (s[i] - '0');
                        scale *= 10;
                    }

                    hasFraction = true;
                    i++;
                }
            }

            if (!hasWhole && !hasFraction)
            {
                return CelValue.Error($"duration('{text}'): expected a number at position {i}");
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            long unit = s[unitStart..i] switch
            {
                "ns" => 1,
                "us" or "\u00b5s" or "\u03bcs" => 1_000,
                "ms" => 1_000_000,
                "s" => NanosPerSecond,
                "m" => 60 * NanosPerSecond,
                "h" => 3600 * NanosPerSecond,
                _ => 0,
            };
            if (unit == 0)
            {
                return CelValue.Error(unitStart == i
                    ? $"duration('{text}'): missing unit (h, m, s, ms, us, ns)"
                    : $"duration('{text}'): unknown unit '{s[unitStart..i].ToString()}'");
            }

            total += whole * unit + fraction * unit / scale;
            if (total > limit)
            {
                return CelValue.Error($"duration('{text}'): duration out of range");
            }
        }

        return Duration(negative ? -total : total);
    }

    /// <summary>Formats a duration as seconds with the fraction it needs, as CEL's <c>string(duration)</c> does: <c>60.001s</c>.</summary>
    public static string FormatDuration(in CelValue value)
    {
        var total = TotalNanos(value);
        var sb = new StringBuilder(24);
        if (total < 0)
        {
            sb.Append('-');
            total = -total;
        }

        sb.Append(((long)(total / NanosPerSecond)).ToString(CultureInfo.InvariantCulture));
        AppendFraction(sb, (int)(total % NanosPerSecond));
        sb.Append('s');
        return sb.ToString();
    }

    /// <summary>Reads a calendar field of a timestamp, in UTC or in the named zone (IANA name or <c>±hh:mm</c>).</summary>
    public static CelValue Field(in CelValue timestamp, string function, string? zone)
    {
        var instant = DateTimeOffset.FromUnixTimeSeconds(timestamp.Seconds);
        DateTime local;
        if (zone is null)
        {
            local = instant.UtcDateTime;
        }
        else if (TryFixedOffset(zone, out var offset))
        {
            try
            {
                local = instant.ToOffset(offset).DateTime;
            }
            catch (ArgumentOutOfRangeException)
            {
                return CelValue.Error("timestamp out of range");
            }
        }
        else if (FindZone(zone) is { } tz)
        {
            try
            {
                local = TimeZoneInfo.ConvertTime(instant, tz).DateTime;
            }
            catch (ArgumentException)
            {
                return CelValue.Error("timestamp out of range");
            }
        }
        else
        {
            return CelValue.Error($"unknown timezone '{zone}'");
        }

        return function switch
        {
            "getFullYear" => CelValue.Int(local.Year),
            "getMonth" => CelValue.Int(local.Month - 1),
            "getDate" => CelValue.Int(local.Day),
            "getDayOfMonth" => CelValue.Int(local.Day - 1),
            "getDayOfWeek" => CelValue.Int((int)local.DayOfWeek),
            "getDayOfYear" => CelValue.Int(local.DayOfYear - 1),
            "getHours" => CelValue.Int(local.Hour),
            "getMinutes" => CelValue.Int(local.Minute),
            "getSeconds" => CelValue.Int(local.Second),
            "getMilliseconds" => CelValue.Int(timestamp.Nanos / 1_000_000),
            _ => CelValue.Error($"no such overload: {function}"),
        };
    }

    /// <summary>Converts a duration to whole hours, minutes, seconds or its millisecond component.</summary>
    public static CelValue DurationField(in CelValue duration, string function)
    {
        var total = TotalNanos(duration);
        return function switch
        {
            "getHours" => CelValue.Int((long)(total / (3600 * (Int128)NanosPerSecond))),
            "getMinutes" => CelValue.Int((long)(total / (60 * (Int128)NanosPerSecond))),
            "getSeconds" => CelValue.Int((long)(total / NanosPerSecond)),
            "getMilliseconds" => CelValue.Int((long)(total % NanosPerSecond / 1_000_000)),
            _ => CelValue.Error($"no such overload: {function}(google.protobuf.Duration)"),
        };
    }

    private static bool TryFixedOffset(string zone, out TimeSpan offset)
    {
        offset = default;
        var s = zone.AsSpan();
        var sign = 1;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            s = s[1..];
        }

        if (s.Length != 5 || s[2] != ':' || !Digits(s, 0, 2, out var h) || !Digits(s, 3, 2, out var m) || h > 23 || m > 59)
        {
            return false;
        }

        offset = TimeSpan.FromMinutes(sign * (h * 60 + m));
        return true;
    }

    private static TimeZoneInfo? FindZone(string zone)
    {
        // Zone names can come from event data; bound the cache so arbitrary names cannot grow it without limit.
        if (Zones.Count > 512)
        {
            Zones.Clear();
        }

        return Zones.GetOrAdd(zone, Lookup);
    }

    private static TimeZoneInfo? Lookup(string name)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static void AppendFraction(StringBuilder sb, int nanos)
    {
        if (nanos == 0)
        {
            return;
        }

        var digits = nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        sb.Append('.').Append(digits);
    }

    private static Int128 FloorDiv(Int128 a, Int128 b)
    {
        var q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = value * 10 + (s[i] - '0');
        }

        return true;
    }
}
