using System.Text.Json.Nodes;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Transform;

/// <summary>Time zones by name, as Go's time.LoadLocation finds them: "" and "UTC" are UTC, "Local" is the machine's zone, other names come from the IANA database.</summary>
internal static class TimeZones
{
    /// <summary>Finds a zone by name.</summary>
    public static bool TryFind(string name, out TimeZoneInfo zone)
    {
        switch (name)
        {
            case "" or "UTC":
                zone = TimeZoneInfo.Utc;
                return true;
            case "Local":
                zone = TimeZoneInfo.Local;
                return true;
            default:
                if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var found))
                {
                    zone = found;
                    return true;
                }

                zone = TimeZoneInfo.Utc;
                return false;
        }
    }
}

/// <summary>A format argument compiled to a Go layout: once at parse time when it is a constant, otherwise per event with the last layout kept.</summary>
internal sealed class LayoutSource
{
    private readonly GoTimeLayout? _constant;
    private readonly Arg _arg;
    private readonly Func<string, string> _toLayout;
    // One immutable pair, so that concurrent events never see a format with another format's layout.
    private volatile CachedLayout? _last;

    public LayoutSource(Arg arg, string? constantFormat, Func<string, string> toLayout)
    {
        _arg = arg;
        _toLayout = toLayout;
        if (constantFormat is not null)
        {
            _constant = GoTimeLayout.Compile(toLayout(constantFormat));
        }
    }

    /// <summary>The layout for this event.</summary>
    public GoTimeLayout Get(TransformContext ctx)
    {
        if (_constant is { } layout)
        {
            return layout;
        }

        var format = _arg.Text(ctx);
        if (_last is { } last && string.Equals(last.Format, format, StringComparison.Ordinal))
        {
            return last.Layout;
        }

        var compiled = GoTimeLayout.Compile(_toLayout(format));
        _last = new CachedLayout(format, compiled);
        return compiled;
    }

    private sealed record CachedLayout(string Format, GoTimeLayout Layout);
}

/// <summary>A time zone argument: resolved at parse time when it is a constant, otherwise per event.</summary>
internal sealed class ZoneSource(Arg? arg, TimeZoneInfo? constant)
{
    /// <summary>UTC, for an action given no zone.</summary>
    public static readonly ZoneSource Utc = new(null, TimeZoneInfo.Utc);

    /// <summary>The zone for this event; an empty name means UTC.</summary>
    public TimeZoneInfo Get(TransformContext ctx)
    {
        if (constant is not null)
        {
            return constant;
        }

        var name = arg!.Text(ctx);
        return TimeZones.TryFind(name, out var zone) ? zone : throw new TransformFailure($"unknown time zone '{name}'");
    }
}

/// <summary>DATE_FORMAT(path, format, [zone]): reformats an RFC 3339 time with Vanus's letters (Y-m-d H:i:s) in a zone (UTC by default).</summary>
internal sealed class DateFormatAction(TargetArg path, LayoutSource layout, ZoneSource zone) : TransformAction("DATE_FORMAT")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        if (!Rfc3339.TryParse(text, out var time, out var error))
        {
            throw new TransformFailure($"'{text}' at {path} is not an RFC 3339 time: it {error}");
        }

        path.Set(ctx, JsonValue.Create(layout.Get(ctx).Format(time, zone.Get(ctx))));
    }
}

/// <summary>UNIX_TIME_FORMAT(path, format, [zone]): formats Unix seconds with Vanus's letters in a zone (UTC by default).</summary>
internal sealed class UnixTimeFormatAction(TargetArg path, LayoutSource layout, ZoneSource zone) : TransformAction("UNIX_TIME_FORMAT")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var seconds = path.Integer(ctx);
        DateTimeOffset time;
        try
        {
            time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new TransformFailure($"{seconds} at {path} is outside the range of Unix times this runtime can represent");
        }

        path.Set(ctx, JsonValue.Create(layout.Get(ctx).Format(time, zone.Get(ctx))));
    }
}

/// <summary>CONVERT_TIMEZONE(path, fromZone, toZone, [format]): reads a local time in one zone and writes it in another, both in the same format (2006-01-02 15:04:05 by default).</summary>
internal sealed class ConvertTimezoneAction(TargetArg path, TimeZoneInfo from, TimeZoneInfo to, GoTimeLayout layout) : TransformAction("CONVERT_TIMEZONE")
{
    /// <summary>The layout Vanus uses when no format is given.</summary>
    public const string DefaultLayout = "2006-01-02 15:04:05";

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        if (!layout.TryParse(text, from, out var time, out var error))
        {
            throw new TransformFailure(error!);
        }

        path.Set(ctx, JsonValue.Create(layout.Format(time, to)));
    }
}
