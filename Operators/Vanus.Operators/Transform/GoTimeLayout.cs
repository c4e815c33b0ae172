using System.Globalization;
using System.Text;

namespace Vanus.Operators.Transform;

/// <summary>
/// A Go time layout (reference time <c>Mon Jan 2 15:04:05 MST 2006</c>) compiled once, for formatting and parsing.
/// Vanus formats every date through Go layouts, so matching its output means following Go's layout rules,
/// including how it spots the reference-time elements inside other text.
/// </summary>
internal sealed class GoTimeLayout
{
    private static readonly string[] LongMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private readonly Chunk[] _chunks;

    private GoTimeLayout(string layout, Chunk[] chunks)
    {
        Layout = layout;
        _chunks = chunks;
    }

    private enum Std : byte
    {
        Literal,
        LongMonth,
        Month,
        NumMonth,
        ZeroMonth,
        LongWeekDay,
        WeekDay,
        Day,
        UnderDay,
        ZeroDay,
        UnderYearDay,
        ZeroYearDay,
        Hour,
        Hour12,
        ZeroHour12,
        Minute,
        ZeroMinute,
        Second,
        ZeroSecond,
        LongYear,
        Year,
        PM,
        LowerPM,
        TZ,
        Iso8601TZ,
        Iso8601SecondsTZ,
        Iso8601ShortTZ,
        Iso8601ColonTZ,
        Iso8601ColonSecondsTZ,
        NumTZ,
        NumSecondsTz,
        NumShortTZ,
        NumColonTZ,
        NumColonSecondsTZ,
        FracSecond0,
        FracSecond9,
    }

    /// <summary>The Go layout text.</summary>
    public string Layout { get; }

    /// <summary>Compiles a Go layout; every string is a valid layout (text that is not an element is copied).</summary>
    public static GoTimeLayout Compile(string layout)
    {
        var chunks = new List<Chunk>();
        var rest = layout;
        while (rest.Length > 0)
        {
            var (prefix, chunk, suffix) = NextChunk(rest);
            if (prefix.Length > 0)
            {
                chunks.Add(new Chunk(Std.Literal, prefix));
            }

            if (chunk is { } c)
            {
                chunks.Add(c);
            }

            rest = suffix;
        }

        return new GoTimeLayout(layout, [.. chunks]);
    }

    /// <summary>
    /// Converts Vanus's DATE_FORMAT format (PHP-style letters: d m Y y h H i s; a backslash copies the next character)
    /// to a Go layout; other characters pass through into the layout, where Go may still read them as elements.
    /// </summary>
    public static string FromDateFormat(string format)
    {
        var sb = new StringBuilder(format.Length + 8);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            switch (c)
            {
                case 'd': sb.Append("02"); break;
                case 'm': sb.Append("01"); break;
                case 'Y': sb.Append("2006"); break;
                case 'y': sb.Append("06"); break;
                case 'h': sb.Append("03"); break;
                case 'H': sb.Append("15"); break;
                case 'i': sb.Append("04"); break;
                case 's': sb.Append("05"); break;
                case '\\' when i + 1 < format.Length:
                    sb.Append(format[++i]);
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Converts a CONVERT_TIMEZONE format to a Go layout the way Vanus's GoDateFormat dependency does: yyyy/yy, mmmm/mmm/mm (month),
    /// dddd/ddd/dd, HH, MM (minute), SS/ss, ZZZ/Z, each replaced throughout in that order; a Go layout without those tokens passes unchanged.
    /// </summary>
    public static string FromGoDateFormat(string format)
    {
        var s = format;
        s = ReplaceFirstFound(s, ("yyyy", "2006"), ("yy", "06"));
        s = ReplaceFirstFound(s, ("mmmm", "January"), ("mmm", "Jan"), ("mm", "01"));
        s = ReplaceFirstFound(s, ("dddd", "Monday"), ("ddd", "Mon"), ("dd", "02"));
        s = ReplaceFirstFound(s, ("HH", "15"));
        s = ReplaceFirstFound(s, ("MM", "04"));
        s = ReplaceFirstFound(s, ("SS", "05"), ("ss", "05"));
        s = ReplaceFirstFound(s, ("ZZZ", "MST"), ("Z", "MST"));
        return s;
    }

    /// <summary>Formats an instant as seen in <paramref name="zone"/>.</summary>
    public string Format(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var t = TimeZoneInfo.ConvertTime(instant, zone);
        var sb = new StringBuilder(Layout.Length + 16);
        foreach (var chunk in _chunks)
        {
            AppendChunk(sb, chunk, t, zone);
        }

        return sb.ToString();
    }

    /// <summary>Parses <paramref name="value"/> with this layout; without an offset in the value, the time is read as local time in <paramref name="zone"/>.</summary>
    public bool TryParse(string value, TimeZoneInfo zone, out DateTimeOffset result, out string? error)
    {
        var p = new ParseState(value);
        result = default;
        for (var i = 0; i < _chunks.Length; i++)
        {
            var chunk = _chunks[i];
            if (chunk.Std == Std.Literal)
            {
                if (!p.Skip(chunk.Text))
                {
                    error = $"'{value}' does not match layout '{Layout}' (expected '{chunk.Text}' at position {p.Position})";
                    return false;
                }

                continue;
            }

            var nextIsFraction = i + 1 < _chunks.Length && _chunks[i + 1].Std is Std.FracSecond0 or Std.FracSecond9;
            if (!p.ParseElement(chunk, nextIsFraction, out error))
            {
                error = $"'{value}' does not match layout '{Layout}': {error}";
                return false;
            }
        }

        if (p.Position < value.Length)
        {
            error = $"'{value}' has extra text '{value[p.Position..]}' after layout '{Layout}'";
            return false;
        }

        return p.Build(zone, out result, out error);
    }

    private static string ReplaceFirstFound(string s, params (string Token, string Layout)[] options)
    {
        foreach (var (token, layout) in options)
        {
            if (s.Contains(token, StringComparison.Ordinal))
            {
                return s.Replace(token, layout, StringComparison.Ordinal);
            }
        }

        return s;
    }

    private static bool StartsWithLower(string s, int index) => index < s.Length && s[index] is >= 'a' and <= 'z';

    private static bool At(string s, int index, string token) => index + token.Length <= s.Length && string.CompareOrdinal(s, index, token, 0, token.Length) == 0;

    // Go's nextStdChunk: the first reference-time element in the layout, with the text before and after it.
    private static (string Prefix, Chunk? Chunk, string Suffix) NextChunk(string layout)
    {
        for (var i = 0; i < layout.Length; i++)
        {
            Chunk? found = null;
            var length = 0;
            switch (layout[i])
            {
                case 'J':
                    if (At(layout, i, "January"))
                    {
                        (found, length) = (new Chunk(Std.LongMonth), 7);
                    }
                    else if (At(layout, i, "Jan") && !StartsWithLower(layout, i + 3))
                    {
                        (found, length) = (new Chunk(Std.Month), 3);
                    }

                    break;
                case 'M':
                    if (At(layout, i, "Monday"))
                    {
                        (found, length) = (new Chunk(Std.LongWeekDay), 6);
                    }
                    else if (At(layout, i, "Mon") && !StartsWithLower(layout, i + 3))
                    {
                        (found, length) = (new Chunk(Std.WeekDay), 3);
                    }
                    else if (At(layout, i, "MST"))
                    {
                        (found, length) = (new Chunk(Std.TZ), 3);
                    }

                    break;
                case '0':
                    if (i + 1 < layout.Length && layout[i + 1] is >= '1' and <= '6')
                    {
                        var std = layout[i + 1] switch
                        {
                            '1' => Std.ZeroMonth,
                            '2' => Std.ZeroDay,
                            '3' => Std.ZeroHour12,
                            '4' => Std.ZeroMinute,
                            '5' => Std.ZeroSecond,
                            _ => Std.Year,
                        };
                        (found, length) = (new Chunk(std), 2);
                    }
                    else if (At(layout, i, "002"))
                    {
                        (found, length) = (new Chunk(Std.ZeroYearDay), 3);
                    }

                    break;
                case '1':
                    (found, length) = i + 1 < layout.Length && layout[i + 1] == '5' ? (new Chunk(Std.Hour), 2) : (new Chunk(Std.NumMonth), 1);
                    break;
                case '2':
                    (found, length) = At(layout, i, "2006") ? (new Chunk(Std.LongYear), 4) : (new Chunk(Std.Day), 1);
                    break;
                case '_':
                    if (i + 1 < layout.Length && layout[i + 1] == '2')
                    {
                        // "_2006" is a literal underscore followed by the long year.
                        if (At(layout, i + 1, "2006"))
                        {
                            return (layout[..(i + 1)], new Chunk(Std.LongYear), layout[(i + 5)..]);
                        }

                        (found, length) = (new Chunk(Std.UnderDay), 2);
                    }
                    else if (At(layout, i, "__2"))
                    {
                        (found, length) = (new Chunk(Std.UnderYearDay), 3);
                    }

                    break;
                case '3':
                    (found, length) = (new Chunk(Std.Hour12), 1);
                    break;
                case '4':
                    (found, length) = (new Chunk(Std.Minute), 1);
                    break;
                case '5':
                    (found, length) = (new Chunk(Std.Second), 1);
                    break;
                case 'P':
                    if (i + 1 < layout.Length && layout[i + 1] == 'M')
                    {
                        (found, length) = (new Chunk(Std.PM), 2);
                    }

                    break;
                case 'p':
                    if (i + 1 < layout.Length && layout[i + 1] == 'm')
                    {
                        (found, length) = (new Chunk(Std.LowerPM), 2);
                    }

                    break;
                case '-':
                    (found, length) = ZoneChunk(layout, i, "-", Std.NumSecondsTz, Std.NumColonSecondsTZ, Std.NumTZ, Std.NumColonTZ, Std.NumShortTZ);
                    break;
                case 'Z':
                    (found, length) = ZoneChunk(layout, i, "Z", Std.Iso8601SecondsTZ, Std.Iso8601ColonSecondsTZ, Std.Iso8601TZ, Std.Iso8601ColonTZ, Std.Iso8601ShortTZ);
                    break;
                case '.' or ',':
                    if (i + 1 < layout.Length && layout[i + 1] is '0' or '9')
                    {
                        var digit = layout[i + 1];
                        var j = i + 1;
                        while (j < layout.Length && layout[j] == digit)
                        {
                            j++;
                        }

                        // A run of 0s or 9s is a fraction only when no other digit follows it.
                        if (!(j < layout.Length && char.IsAsciiDigit(layout[j])))
                        {
                            var std = digit == '0' ? Std.FracSecond0 : Std.FracSecond9;
                            (found, length) = (new Chunk(std, Digits: j - (i + 1), Separator: layout[i]), j - i);
                        }
                    }

                    break;
            }

            if (found is { } chunk)
            {
                return (layout[..i], chunk, layout[(i + length)..]);
            }
        }

        return (layout, null, "");
    }

    private static (Chunk?, int) ZoneChunk(string layout, int i, string lead, Std seconds, Std colonSeconds, Std plain, Std colon, Std shortForm)
    {
        if (At(layout, i, lead + "070000"))
        {
            return (new Chunk(seconds), 7);
        }

        if (At(layout, i, lead + "07:00:00"))
        {
            return (new Chunk(colonSeconds), 9);
        }

        if (At(layout, i, lead + "0700"))
        {
            return (new Chunk(plain), 5);
        }

        if (At(layout, i, lead + "07:00"))
        {
            return (new Chunk(colon), 6);
        }

        if (At(layout, i, lead + "07"))
        {
            return (new Chunk(shortForm), 3);
        }

        return (null, 0);
    }

    private static void AppendChunk(StringBuilder sb, Chunk chunk, DateTimeOffset t, TimeZoneInfo zone)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (chunk.Std)
        {
            case Std.Literal: sb.Append(chunk.Text); break;
            case Std.Year: sb.Append((t.Year % 100).ToString("00", inv)); break;
            case Std.LongYear: sb.Append(t.Year.ToString("0000", inv)); break;
            case Std.Month: sb.Append(LongMonths[t.Month - 1], 0, 3); break;
            case Std.LongMonth: sb.Append(LongMonths[t.Month - 1]); break;
            case Std.NumMonth: sb.Append(t.Month.ToString(inv)); break;
            case Std.ZeroMonth: sb.Append(t.Month.ToString("00", inv)); break;
            case Std.WeekDay: sb.Append(LongDays[(int)t.DayOfWeek], 0, 3); break;
            case Std.LongWeekDay: sb.Append(LongDays[(int)t.DayOfWeek]); break;
            case Std.Day: sb.Append(t.Day.ToString(inv)); break;
            case Std.UnderDay: sb.Append(t.Day < 10 ? " " : "").Append(t.Day.ToString(inv)); break;
            case Std.ZeroDay: sb.Append(t.Day.ToString("00", inv)); break;
            case Std.UnderYearDay: sb.Append(t.DayOfYear.ToString(inv).PadLeft(3)); break;
            case Std.ZeroYearDay: sb.Append(t.DayOfYear.ToString("000", inv)); break;
            case Std.Hour: sb.Append(t.Hour.ToString("00", inv)); break;
            case Std.Hour12: sb.Append(Hour12(t.Hour).ToString(inv)); break;
            case Std.ZeroHour12: sb.Append(Hour12(t.Hour).ToString("00", inv)); break;
            case Std.Minute: sb.Append(t.Minute.ToString(inv)); break;
            case Std.ZeroMinute: sb.Append(t.Minute.ToString("00", inv)); break;
            case Std.Second: sb.Append(t.Second.ToString(inv)); break;
            case Std.ZeroSecond: sb.Append(t.Second.ToString("00", inv)); break;
            case Std.PM: sb.Append(t.Hour >= 12 ? "PM" : "AM"); break;
            case Std.LowerPM: sb.Append(t.Hour >= 12 ? "pm" : "am"); break;
            case Std.TZ: AppendZoneName(sb, t, zone); break;
            case Std.FracSecond0 or Std.FracSecond9: AppendFraction(sb, chunk, t); break;
            default: AppendOffset(sb, chunk.Std, t.Offset); break;
        }
    }

    private static int Hour12(int hour) => hour % 12 == 0 ? 12 : hour % 12;

    private static void AppendFraction(StringBuilder sb, Chunk chunk, DateTimeOffset t)
    {
        var nanos = (t.Ticks % TimeSpan.TicksPerSecond) * 100;
        var digits = nanos.ToString("000000000", CultureInfo.InvariantCulture)[..Math.Min(chunk.Digits, 9)];
        if (chunk.Std == Std.FracSecond9)
        {
            digits = digits.TrimEnd('0');
            if (digits.Length == 0)
            {
                return;
            }
        }
        else if (chunk.Digits > 9)
        {
            digits = digits.PadRight(chunk.Digits, '0');
        }

        sb.Append(chunk.Separator).Append(digits);
    }

    private static void AppendZoneName(StringBuilder sb, DateTimeOffset t, TimeZoneInfo zone)
    {
        if (zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC")
        {
            sb.Append("UTC");
            return;
        }

        var name = zone.IsDaylightSavingTime(t) ? zone.DaylightName : zone.StandardName;
        if (name.Length is >= 2 and <= 6 && name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '+' or '-'))
        {
            sb.Append(name);
            return;
        }

        // Go prints a numeric zone when the location has no abbreviation.
        AppendOffset(sb, Std.NumTZ, t.Offset);
    }

    private static void AppendOffset(StringBuilder sb, Std std, TimeSpan offset)
    {
        if (std is Std.Iso8601TZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonTZ or Std.Iso8601ColonSecondsTZ && offset == TimeSpan.Zero)
        {
            sb.Append('Z');
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var total = (int)offset.TotalSeconds;
        sb.Append(total < 0 ? '-' : '+');
        total = Math.Abs(total);
        sb.Append((total / 3600).ToString("00", inv));
        var colon = std is Std.Iso8601ColonTZ or Std.NumColonTZ or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ;
        if (std is not (Std.Iso8601ShortTZ or Std.NumShortTZ))
        {
            if (colon)
            {
                sb.Append(':');
            }

            sb.Append((total / 60 % 60).ToString("00", inv));
        }

        if (std is Std.Iso8601SecondsTZ or Std.NumSecondsTz or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ)
        {
            if (colon)
            {
                sb.Append(':');
            }

            sb.Append((total % 60).ToString("00", inv));
        }
    }

    private readonly record struct Chunk(Std Std, string Text = "", int Digits = 0, char Separator = '.');

    private sealed class ParseState(string value)
    {
        private int _year = 1;
        private int _month = 1;
        private int _day = 1;
        private int _hour;
        private int _minute;
        private int _second;
        private long _nanos;
        private int _yearDay = -1;
        private bool _pm;
        private bool _pmSet;
        private TimeSpan? _offset;

        public int Position { get; private set; }

        // Go's skip: a run of spaces in the layout matches a run of spaces in the value.
        public bool Skip(string prefix)
        {
            var i = 0;
            while (i < prefix.Length)
            {
                if (prefix[i] == ' ')
                {
                    if (Position < value.Length && value[Position] != ' ')
                    {
                        return false;
                    }

                    while (i < prefix.Length && prefix[i] == ' ')
                    {
                        i++;
                    }

                    while (Position < value.Length && value[Position] == ' ')
                    {
                        Position++;
                    }

                    continue;
                }

                if (Position >= value.Length || value[Position] != prefix[i])
                {
                    return false;
                }

                i++;
                Position++;
            }

            return true;
        }

        public bool ParseElement(Chunk chunk, bool nextIsFraction, out string? error)
        {
            error = null;
            switch (chunk.Std)
            {
                case Std.Year:
                    if (!Number(2, 2, out var y, "two-digit year", out error))
                    {
                        return false;
                    }

                    _year = y >= 69 ? 1900 + y : 2000 + y;
                    return true;
                case Std.LongYear:
                    return Number(4, 4, out _year, "four-digit year", out error);
                case Std.Month or Std.LongMonth:
                    return Name(LongMonths, chunk.Std == Std.Month, out _month, "month name", out error) && Offset1(ref _month);
                case Std.WeekDay or Std.LongWeekDay:
                    return Name(LongDays, chunk.Std == Std.WeekDay, out _, "weekday name", out error);
                case Std.NumMonth or Std.ZeroMonth:
                    return Number(chunk.Std == Std.ZeroMonth ? 2 : 1, 2, out _month, "month", out error) && Range(_month, 1, 12, "month", out error);
                case Std.Day or Std.ZeroDay or Std.UnderDay:
                    if (chunk.Std == Std.UnderDay && Position < value.Length && value[Position] == ' ')
                    {
                        Position++;
                    }

                    return Number(chunk.Std == Std.ZeroDay ? 2 : 1, 2, out _day, "day", out error) && Range(_day, 1, 31, "day", out error);
                case Std.UnderYearDay or Std.ZeroYearDay:
                    while (chunk.Std == Std.UnderYearDay && Position < value.Length && value[Position] == ' ')
                    {
                        Position++;
                    }

                    return Number(chunk.Std == Std.ZeroYearDay ? 3 : 1, 3, out _yearDay, "day of year", out error) && Range(_yearDay, 1, 366, "day of year", out error);
                case Std.Hour:
                    return Number(1, 2, out _hour, "hour", out error) && Range(_hour, 0, 23, "hour", out error);
                case Std.Hour12 or Std.ZeroHour12:
                    return Number(chunk.Std == Std.ZeroHour12 ? 2 : 1, 2, out _hour, "hour", out error) && Range(_hour, 0, 12, "hour", out error);
                case Std.Minute or Std.ZeroMinute:
                    return Number(chunk.Std == Std.ZeroMinute ? 2 : 1, 2, out _minute, "minute", out error) && Range(_minute, 0, 59, "minute", out error);
                case Std.Second or Std.ZeroSecond:
                    if (!Number(chunk.Std == Std.ZeroSecond ? 2 : 1, 2, out _second, "second", out error) || !Range(_second, 0, 59, "second", out error))
                    {
                        return false;
                    }

                    // Go accepts a fraction after the seconds even when the layout has none.
                    if (!nextIsFraction && Position + 1 < value.Length && value[Position] is '.' or ',' && char.IsAsciiDigit(value[Position + 1]))
                    {
                        Position++;
                        ReadFraction(int.MaxValue);
                    }

                    return true;
                case Std.PM or Std.LowerPM:
                    if (Position + 2 > value.Length)
                    {
                        error = "missing AM/PM";
                        return false;
                    }

                    var ampm = value.Substring(Position, 2);
                    var wanted = chunk.Std == Std.PM ? ("AM", "PM") : ("am", "pm");
                    if (ampm != wanted.Item1 && ampm != wanted.Item2)
                    {
                        error = $"'{ampm}' is not {wanted.Item1} or {wanted.Item2}";
                        return false;
                    }

                    _pm = ampm == wanted.Item2;
                    _pmSet = true;
                    Position += 2;
                    return true;
                case Std.FracSecond0:
                    if (Position >= value.Length || value[Position] != chunk.Separator)
                    {
                        error = $"expected '{chunk.Separator}' and {chunk.Digits} fraction digits at position {Position}";
                        return false;
                    }

                    Position++;
                    var start = Position;
                    ReadFraction(chunk.Digits);
                    if (Position - start != chunk.Digits)
                    {
                        error = $"expected {chunk.Digits} fraction digits at position {start}";
                        return false;
                    }

                    return true;
                case Std.FracSecond9:
                    if (Position + 1 < value.Length && value[Position] == chunk.Separator && char.IsAsciiDigit(value[Position + 1]))
                    {
                        Position++;
                        ReadFraction(int.MaxValue);
                    }

                    return true;
                case Std.TZ:
                    return ZoneName(out error);
                default:
                    return ZoneOffset(chunk.Std, out error);
            }
        }

        public bool Build(TimeZoneInfo zone, out DateTimeOffset result, out string? error)
        {
            result = default;
            error = null;
            if (_pmSet)
            {
                if (_hour > 12)
                {
                    error = $"hour {_hour} cannot be used with AM/PM";
                    return false;
                }

                _hour = _pm ? (_hour % 12) + 12 : _hour % 12;
            }

            if (_yearDay > 0)
            {
                var date = new DateTime(_year, 1, 1).AddDays(_yearDay - 1);
                if (date.Year != _year)
                {
                    error = $"day of year {_yearDay} is out of range for {_year}";
                    return false;
                }

                (_month, _day) = (date.Month, date.Day);
            }

            if (_day > DateTime.DaysInMonth(_year, _month))
            {
                error = $"day {_day} is out of range for month {_month} of {_year}";
                return false;
            }

            var local = new DateTime(_year, _month, _day, _hour, _minute, _second, DateTimeKind.Unspecified).AddTicks(_nanos / 100);
            var offset = _offset ?? zone.GetUtcOffset(local);
            result = new DateTimeOffset(local, offset);
            return true;
        }

        private static bool Offset1(ref int index)
        {
            index++;
            return true;
        }

        private static bool Range(int v, int min, int max, string what, out string? error)
        {
            error = v < min || v > max ? $"{what} {v} is out of range" : null;
            return error is null;
        }

        private bool Number(int minDigits, int maxDigits, out int result, string what, out string? error)
        {
            var start = Position;
            result = 0;
            while (Position < value.Length && Position - start < maxDigits && char.IsAsciiDigit(value[Position]))
            {
                result = (result * 10) + (value[Position] - '0');
                Position++;
            }

            if (Position - start < minDigits)
            {
                error = $"expected a {what} at position {start}";
                return false;
            }

            error = null;
            return true;
        }

        private void ReadFraction(int maxDigits)
        {
            long scale = 100_000_000;
            var count = 0;
            _nanos = 0;
            while (Position < value.Length && count < maxDigits && char.IsAsciiDigit(value[Position]))
            {
                _nanos += (value[Position] - '0') * scale;
                scale /= 10;
                Position++;
                count++;
            }
        }

        private bool Name(string[] names, bool abbreviated, out int index, string what, out string? error)
        {
            for (var i = 0; i < names.Length; i++)
            {
                var name = abbreviated ? names[i][..3] : names[i];
                if (Position + name.Length <= value.Length && string.Compare(value, Position, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    Position += name.Length;
                    index = i;
                    error = null;
                    return true;
                }
            }

            index = 0;
            error = $"expected a {what} at position {Position}";
            return false;
        }

        private bool ZoneName(out string? error)
        {
            error = null;
            var start = Position;
            while (Position < value.Length && char.IsAsciiLetterUpper(value[Position]))
            {
                Position++;
            }

            var name = value[start..Position];
            if (name is "UTC" or "GMT" or "Z")
            {
                _offset = TimeSpan.Zero;
                return true;
            }

            // Go keeps other abbreviations as a fabricated zone; the time is read in the given location instead.
            if (name.Length is >= 3 and <= 5)
            {
                return true;
            }

            error = $"expected a time zone abbreviation at position {start}";
            return false;
        }

        private bool ZoneOffset(Std std, out string? error)
        {
            error = null;
            var iso = std is Std.Iso8601TZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonTZ or Std.Iso8601ColonSecondsTZ;
            if (iso && Position < value.Length && value[Position] == 'Z')
            {
                Position++;
                _offset = TimeSpan.Zero;
                return true;
            }

            if (Position >= value.Length || value[Position] is not ('+' or '-'))
            {
                error = $"expected a time zone offset at position {Position}";
                return false;
            }

            var sign = value[Position] == '-' ? -1 : 1;
            Position++;
            var colon = std is Std.Iso8601ColonTZ or Std.NumColonTZ or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ;
            if (!Number(2, 2, out var hours, "zone hour", out error))
            {
                return false;
            }

            var minutes = 0;
            var seconds = 0;
            if (std is not (Std.Iso8601ShortTZ or Std.NumShortTZ))
            {
                if (colon && !Skip(":"))
                {
                    error = $"expected ':' in the zone offset at position {Position}";
                    return false;
                }

                if (!Number(2, 2, out minutes, "zone minute", out error))
                {
                    return false;
                }
            }

            if (std is Std.Iso8601SecondsTZ or Std.NumSecondsTz or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ)
            {
                if (colon && !Skip(":"))
                {
                    error = $"expected ':' in the zone offset at position {Position}";
                    return false;
                }

                if (!Number(2, 2, out seconds, "zone second", out error))
                {
                    return false;
                }
            }

            if (hours > 14 || minutes > 59 || seconds > 59)
            {
                error = "the zone offset is out of range";
                return false;
            }

            // DateTimeOffset keeps whole minutes; Go's second-level offsets are historical curiosities.
            _offset = TimeSpan.FromMinutes(sign * ((hours * 60) + minutes));
            return true;
        }
    }
}
