using System.Globalization;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>How CESQL sees event attributes (section 3.2): integers and booleans keep their type, every other kind reads as a String.</summary>
internal static class CesqlAttributes
{
    /// <summary>True for the attributes every valid event carries (EXISTS is always true for them).</summary>
    public static bool IsRequired(string name) => name is "specversion" or "id" or "source" or "type";

    /// <summary>True for the optional attributes the CloudEvents spec defines (everything else is an extension).</summary>
    public static bool IsOptionalCore(string name) => name is "subject" or "datacontenttype" or "dataschema" or "time";

    public static CesqlValue ToValue(in AttributeValue value) => value.Kind switch
    {
        AttributeKind.Integer => CesqlValue.FromInteger(value.AsInteger),
        AttributeKind.Boolean => CesqlValue.FromBoolean(value.AsBoolean),
        _ => CesqlValue.FromString(ToText(in value)),
    };

    /// <summary>The String form: the text of String, URI and URI-reference values without copying; the canonical CloudEvents form otherwise.</summary>
    public static string ToText(in AttributeValue value) => value.AsText ?? value.ToString();

    public static int ToInteger(in AttributeValue value, ref EvalState state, string message) => value.Kind switch
    {
        AttributeKind.Integer => value.AsInteger,
        AttributeKind.Boolean => value.AsBoolean ? 1 : 0,
        _ => CesqlCasts.ToInteger(ToText(in value), ref state, message),
    };

    public static bool ToBoolean(in AttributeValue value, ref EvalState state, string message) => value.Kind switch
    {
        AttributeKind.Boolean => value.AsBoolean,
        AttributeKind.Integer => value.AsInteger != 0,
        _ => CesqlCasts.ToBoolean(ToText(in value), ref state, message),
    };

    /// <summary>
    /// The <c>time</c> attribute as RFC 3339 text in the offset the event was given with (<c>+02:00</c> stays
    /// <c>+02:00</c>; UTC is written <c>Z</c>), with as many fraction digits as it needs.
    /// </summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = time.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + (time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture));
    }
}
