using System.Globalization;
using Cronos;

namespace Vanus.Operators.Timing;

/// <summary>
/// When a schedule fires: the occurrences of a cron expression in a time zone (Cronos: a local time skipped by a
/// daylight-saving jump fires at the jump, one repeated fires once), or of a fixed interval counted from the creation time.
/// </summary>
public sealed class ScheduleClock
{
    // Cronos finds nothing for an expression that names no real date (February 30th); any year from here on would do.
    private static readonly DateTimeOffset Probe = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly DateTimeOffset _anchor;
    private readonly long _intervalTicks;

    private ScheduleClock(CronExpression? cron, TimeZoneInfo zone, DateTimeOffset anchor, long intervalTicks)
    {
        _cron = cron;
        _zone = zone;
        _anchor = anchor;
        _intervalTicks = intervalTicks;
    }

    /// <summary>The clock of a schedule; throws <see cref="FormatException"/> saying why when its cron or zone cannot be used.</summary>
    public static ScheduleClock Create(string? cron, string timeZone, TimeSpan? interval, DateTimeOffset createdAt)
    {
        if (cron is not null)
        {
            var zone = FindZone(timeZone, out var why) ?? throw new FormatException(why);
            return new ScheduleClock(ParseCron(cron), zone, createdAt, 0);
        }

        if (interval is not { } period || period <= TimeSpan.Zero)
        {
            throw new FormatException("a schedule needs a cron expression or a positive interval");
        }

        return new ScheduleClock(null, TimeZoneInfo.Utc, createdAt, period.Ticks);
    }

    /// <summary>Why <paramref name="timeZone"/> is not an IANA time zone this machine knows, or null when it is.</summary>
    public static string? CheckTimeZone(string? timeZone)
    {
        FindZone(timeZone, out var why);
        return why;
    }

    /// <summary>Why <paramref name="cron"/> cannot be used (read in <paramref name="timeZone"/>), or null when it can.</summary>
    public static string? CheckCron(string cron, string timeZone)
    {
        CronExpression expression;
        try
        {
            expression = ParseCron(cron);
        }
        catch (FormatException e)
        {
            return e.Message;
        }

        var zone = FindZone(timeZone, out _) ?? TimeZoneInfo.Utc;
        return expression.GetNextOccurrence(Probe, zone) is null ? $"names no date that exists ('{cron}'), so it would never fire" : null;
    }

    /// <summary>The first occurrence strictly after <paramref name="time"/>, in UTC; null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset time)
    {
        if (_cron is not null)
        {
            return _cron.GetNextOccurrence(time, _zone)?.ToUniversalTime();
        }

        var k = time < _anchor ? 1 : ((time - _anchor).Ticks / _intervalTicks) + 1;
        return At(k);
    }

    /// <summary>The occurrences in (<paramref name="after"/>, <paramref name="now"/>]: how many, and the latest of them.</summary>
    public (long Count, DateTimeOffset Latest) Due(DateTimeOffset after, DateTimeOffset now)
    {
        if (now <= after)
        {
            return (0, default);
        }

        if (_cron is not null)
        {
            long count = 0;
            var latest = default(DateTimeOffset);
            foreach (var occurrence in _cron.GetOccurrences(after, now, _zone, fromInclusive: false, toInclusive: true))
            {
                count++;
                latest = occurrence;
            }

            return (count, latest.ToUniversalTime());
        }

        var before = Passed(after);
        var upTo = Passed(now);
        return upTo == before ? (0, default) : (upTo - before, At(upTo));
    }

    /// <summary>How many interval occurrences lie at or before <paramref name="time"/>.</summary>
    private long Passed(DateTimeOffset time) => time <= _anchor ? 0 : (time - _anchor).Ticks / _intervalTicks;

    private DateTimeOffset At(long k) => _anchor.ToUniversalTime().AddTicks(k * _intervalTicks);

    private static CronExpression ParseCron(string cron)
    {
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        CronFormat format;
        switch (fields.Length)
        {
            case 1 when fields[0].StartsWith('@'):
            case 5:
                format = CronFormat.Standard;
                break;
            case 6:
                format = CronFormat.IncludeSeconds;
                break;
            default:
                throw new FormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got {fields.Length} ('{cron}')"));
        }

        try
        {
            return CronExpression.Parse(string.Join(' ', fields), format);
        }
        catch (Exception e) when (e is CronFormatException or MissingSeedException)
        {
            throw new FormatException($"is not a valid cron expression ('{cron}'): {e.Message.TrimEnd('.')}", e);
        }
    }

    private static readonly System.Buffers.SearchValues<char> ZoneIdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-+");

    private static TimeZoneInfo? FindZone(string? id, out string? why)
    {
        why = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            why = "must name an IANA time zone such as UTC or America/New_York";
            return null;
        }

        // The id names a file under the zone database on Linux: anything but an IANA name's characters (a path, '..')
        // is refused before it is looked up.
        if (id[0] == '/' || id.Contains("..", StringComparison.Ordinal) || id.AsSpan().IndexOfAnyExcept(ZoneIdCharacters) >= 0)
        {
            why = $"is not an IANA time zone name ('{id}'); use one such as UTC, Europe/Paris or America/New_York";
            return null;
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException or UnauthorizedAccessException or IOException)
        {
            // A folder of the zone database ('America') is found but cannot be read as a zone: it is not one.
            why = $"is not a time zone this node knows ('{id}'); use an IANA name such as UTC, Europe/Paris or America/New_York";
            return null;
        }

        if (!zone.HasIanaId)
        {
            why = $"is not an IANA time zone name ('{id}'); use one such as UTC, Europe/Paris or America/New_York";
            return null;
        }

        return zone;
    }
}
