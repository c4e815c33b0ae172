using System.Globalization;

namespace Vanus.Operators.Sql;

/// <summary>The casts of CESQL 1.0 section 3.7, every one total: a failed cast yields the target's zero value and a Cast error.</summary>
internal static class CesqlCasts
{
    public const string True = "true";
    public const string False = "false";

    public static bool ToBoolean(in CesqlValue value, ref EvalState state, string message) => value.Type switch
    {
        CesqlType.Boolean => value.RawNumber != 0,
        CesqlType.Integer => value.RawNumber != 0,
        _ => ToBoolean(value.RawText, ref state, message),
    };

    public static int ToInteger(in CesqlValue value, ref EvalState state, string message) => value.Type switch
    {
        CesqlType.Integer => value.RawNumber,
        CesqlType.Boolean => value.RawNumber != 0 ? 1 : 0,
        _ => ToInteger(value.RawText, ref state, message),
    };

    public static string ToText(in CesqlValue value) => value.Type switch
    {
        CesqlType.String => value.RawText,
        CesqlType.Integer => ToText(value.RawNumber),
        _ => ToText(value.RawNumber != 0),
    };

    /// <summary>String to Boolean: "true" or "false" in any letter case; anything else is a cast error.</summary>
    public static bool ToBoolean(string text, ref EvalState state, string message)
    {
        if (TryParseBoolean(text, out var value))
        {
            return value;
        }

        state.Fail(CesqlErrorKind.Cast, message);
        return false;
    }

    /// <summary>String to Integer: a base-10 32-bit integer with an optional leading sign; anything else, overflow included, is a cast error.</summary>
    public static int ToInteger(string text, ref EvalState state, string message)
    {
        if (TryParseInteger(text, out var value))
        {
            return value;
        }

        state.Fail(CesqlErrorKind.Cast, message);
        return 0;
    }

    public static string ToText(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string ToText(bool value) => value ? True : False;

    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        if (text.Equals(True, StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return text.Equals(False, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParseInteger(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        var negative = false;
        var i = 0;
        if (text.Length > 0 && text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            i = 1;
        }

        if (i == text.Length)
        {
            return false;
        }

        long result = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            result = (result * 10) + (c - '0');
            if (result > (long)int.MaxValue + 1)
            {
                return false;
            }
        }

        result = negative ? -result : result;
        if (result > int.MaxValue)
        {
            return false;
        }

        value = (int)result;
        return true;
    }
}
