using System.Globalization;
using System.Text;

namespace Vanus.Operators.Cel;

/// <summary>Text forms of CEL values: <c>string(double)</c> as CEL's reference implementation prints it, and a debug form for messages.</summary>
internal static class CelFormat
{
    /// <summary>Formats a double like Go's <c>%g</c> with the shortest round-trip digits (what cel-go's <c>string(double)</c> gives).</summary>
    public static string Double(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(d))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(d))
        {
            return "-Inf";
        }

        var negative = d < 0 || (d == 0 && double.IsNegative(d));
        if (d == 0)
        {
            return negative ? "-0" : "0";
        }

        // "R" gives the shortest digits that round-trip; take them apart into digits and a decimal point position.
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        point -= lead;
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        var exp = point - 1;
        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var absExp = Math.Abs(exp);
            if (absExp < 10)
            {
                sb.Append('0');
            }

            sb.Append(absExp.ToString(CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return sb.ToString();
    }

    /// <summary>A CEL-literal-like rendering of a value, for error messages and test output.</summary>
    public static string Debug(in CelValue value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, in CelValue value)
    {
        switch (value.Kind)
        {
            case CelKind.Null:
                sb.Append("null");
                break;
            case CelKind.Bool:
                sb.Append(value.BoolValue ? "true" : "false");
                break;
            case CelKind.Int:
                sb.Append(value.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case CelKind.Uint:
                sb.Append(value.UintValue.ToString(CultureInfo.InvariantCulture)).Append('u');
                break;
            case CelKind.Double:
                var d = value.DoubleValue;
                var text = Double(d);
                sb.Append(text);
                if (double.IsFinite(d) && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.Ordinal))
                {
                    sb.Append(".0");
                }

                break;
            case CelKind.String:
                sb.Append('"').Append(value.StringValue.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case CelKind.Bytes:
                sb.Append("b\"");
                foreach (var b in value.BytesValue)
                {
                    if (b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\')
                    {
                        sb.Append((char)b);
                    }
                    else
                    {
                        sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    }
                }

                sb.Append('"');
                break;
            case CelKind.List:
                sb.Append('[');
                var items = value.ListValue;
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Append(sb, items[i]);
                }

                sb.Append(']');
                break;
            case CelKind.Map:
                sb.Append('{');
                var map = value.MapValue;
                for (var i = 0; i < map.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Append(sb, map.Keys[i]);
                    sb.Append(": ");
                    Append(sb, map.Values[i]);
                }

                sb.Append('}');
                break;
            case CelKind.Timestamp:
                sb.Append("timestamp(\"").Append(CelTime.FormatTimestamp(value)).Append("\")");
                break;
            case CelKind.Duration:
                sb.Append("duration(\"").Append(CelTime.FormatDuration(value)).Append("\")");
                break;
            case CelKind.Type:
                sb.Append(value.TypeValue.Name);
                break;
            case CelKind.Error:
                sb.Append("error(").Append(value.ErrorValue.Message).Append(')');
                break;
        }
    }
}
