using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Vanus.Operators.Cel;

/// <summary>
/// The standard definitions of CEL over runtime values: operators (with overflow and division errors, heterogeneous
/// numeric equality and ordering), conversions, string functions, indexing and membership. Every function returns an
/// error value rather than throwing, and an error argument is passed through.
/// </summary>
internal static class CelRuntime
{
    private const int MaxCachedPatterns = 256;
    private static readonly ConcurrentDictionary<string, Regex?> Patterns = new(StringComparer.Ordinal);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---- equality and ordering -------------------------------------------------------------------------------

    public static CelValue Equal(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        return b.IsError ? b : CelValue.Bool(ValueEquals(a, b));
    }

    public static CelValue NotEqual(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        return b.IsError ? b : CelValue.Bool(!ValueEquals(a, b));
    }

    /// <summary>CEL's heterogeneous equality: numbers compare by value across int, uint and double; other kinds must match.</summary>
    public static bool ValueEquals(in CelValue a, in CelValue b)
    {
        if (IsNumber(a.Kind) && IsNumber(b.Kind))
        {
            return CompareNumbers(a, b) == 0;
        }

        if (a.Kind != b.Kind)
        {
            return false;
        }

        switch (a.Kind)
        {
            case CelKind.Null:
                return true;
            case CelKind.Bool:
                return a.BoolValue == b.BoolValue;
            case CelKind.String:
                return string.Equals(a.StringValue, b.StringValue, StringComparison.Ordinal);
            case CelKind.Bytes:
                return a.BytesValue.AsSpan().SequenceEqual(b.BytesValue);
            case CelKind.Timestamp:
            case CelKind.Duration:
                return a.Seconds == b.Seconds && a.Nanos == b.Nanos;
            case CelKind.Type:
                return ReferenceEquals(a.TypeValue, b.TypeValue) || a.TypeValue.Name == b.TypeValue.Name;
            case CelKind.List:
                var x = a.ListValue;
                var y = b.ListValue;
                if (x.Length != y.Length)
                {
                    return false;
                }

                for (var i = 0; i < x.Length; i++)
                {
                    if (!ValueEquals(x[i], y[i]))
                    {
                        return false;
                    }
                }

                return true;
            case CelKind.Map:
                var m = a.MapValue;
                var n = b.MapValue;
                if (m.Count != n.Count)
                {
                    return false;
                }

                for (var i = 0; i < m.Count; i++)
                {
                    if (!n.TryGet(m.Keys[i], out var other) || !ValueEquals(m.Values[i], other))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    public static bool IsNumber(CelKind kind) => kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    /// <summary>Compares two numbers of any numeric kinds: -1, 0 or 1, or 2 when a NaN makes them unordered.</summary>
    public static int CompareNumbers(in CelValue a, in CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return a.IntValue.CompareTo(b.IntValue);
            case (CelKind.Uint, CelKind.Uint):
                return a.UintValue.CompareTo(b.UintValue);
            case (CelKind.Int, CelKind.Uint):
                return a.IntValue < 0 ? -1 : ((ulong)a.IntValue).CompareTo(b.UintValue);
            case (CelKind.Uint, CelKind.Int):
                return b.IntValue < 0 ? 1 : a.UintValue.CompareTo((ulong)b.IntValue);
            default:
                // Mixed with double: compare as doubles, as CEL's reference implementation does (lossy for |i| > 2^53).
                var x = AsDouble(a);
                var y = AsDouble(b);
                if (double.IsNaN(x) || double.IsNaN(y))
                {
                    return 2;
                }

                return x < y ? -1 : x > y ? 1 : 0;
        }
    }

    private static double AsDouble(in CelValue v) => v.Kind switch
    {
        CelKind.Int => v.IntValue,
        CelKind.Uint => v.UintValue,
        _ => v.DoubleValue,
    };

    /// <summary>Orders two values for <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>; <paramref name="test"/> maps the comparison (-1, 0, 1) to the result.</summary>
    public static CelValue Relation(string function, in CelValue a, in CelValue b, Func<int, bool> test)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        int c;
        if (IsNumber(a.Kind) && IsNumber(b.Kind))
        {
            c = CompareNumbers(a, b);
            if (c == 2)
            {
                return CelValue.False;
            }
        }
        else if (a.Kind != b.Kind)
        {
            return CelValue.NoSuchOverload(function, a, b);
        }
        else
        {
            switch (a.Kind)
            {
                case CelKind.Bool:
                    c = a.BoolValue.CompareTo(b.BoolValue);
                    break;
                case CelKind.String:
                    c = CompareCodePoints(a.StringValue, b.StringValue);
                    break;
                case CelKind.Bytes:
                    c = a.BytesValue.AsSpan().SequenceCompareTo(b.BytesValue);
                    break;
                case CelKind.Timestamp:
                case CelKind.Duration:
                    c = a.Seconds != b.Seconds ? a.Seconds.CompareTo(b.Seconds) : a.Nanos.CompareTo(b.Nanos);
                    break;
                default:
                    return CelValue.NoSuchOverload(function, a, b);
            }
        }

        return CelValue.Bool(test(Math.Sign(c)));
    }

    /// <summary>Orders strings by Unicode code point (UTF-16 ordinal order differs for characters above U+FFFF).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y)
            {
                continue;
            }

            var xs = char.IsSurrogate(x);
            var ys = char.IsSurrogate(y);
            if (xs != ys)
            {
                // A surrogate is part of a code point above U+FFFF, which sorts after every BMP character.
                return xs ? 1 : -1;
            }

            return x < y ? -1 : 1;
        }

        return a.Length.CompareTo(b.Length);
    }

    // ---- arithmetic -------------------------------------------------------------------------------------------

    public static CelValue Add(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var x = a.IntValue;
                var y = b.IntValue;
                var r = unchecked(x + y);
                return ((x ^ r) & (y ^ r)) < 0 ? Overflow() : CelValue.Int(r);
            case (CelKind.Uint, CelKind.Uint):
                var ur = unchecked(a.UintValue + b.UintValue);
                return ur < a.UintValue ? Overflow() : CelValue.Uint(ur);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(a.DoubleValue + b.DoubleValue);
            case (CelKind.String, CelKind.String):
                return CelValue.String(string.Concat(a.StringValue, b.StringValue));
            case (CelKind.Bytes, CelKind.Bytes):
                return CelValue.Bytes([.. a.BytesValue, .. b.BytesValue]);
            case (CelKind.List, CelKind.List):
                return CelValue.List([.. a.ListValue, .. b.ListValue]);
            case (CelKind.Timestamp, CelKind.Duration):
                return CelTime.Timestamp(CelTime.TotalNanos(a) + CelTime.TotalNanos(b));
            case (CelKind.Duration, CelKind.Timestamp):
                return CelTime.Timestamp(CelTime.TotalNanos(a) + CelTime.TotalNanos(b));
            case (CelKind.Duration, CelKind.Duration):
                return CelTime.Duration(CelTime.TotalNanos(a) + CelTime.TotalNanos(b));
            default:
                return CelValue.NoSuchOverload("_+_", a, b);
        }
    }

    public static CelValue Subtract(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var x = a.IntValue;
                var y = b.IntValue;
                var r = unchecked(x - y);
                return ((x ^ y) & (x ^ r)) < 0 ? Overflow() : CelValue.Int(r);
            case (CelKind.Uint, CelKind.Uint):
                return b.UintValue > a.UintValue ? Overflow() : CelValue.Uint(a.UintValue - b.UintValue);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(a.DoubleValue - b.DoubleValue);
            case (CelKind.Timestamp, CelKind.Timestamp):
                return CelTime.Duration(CelTime.TotalNanos(a) - CelTime.TotalNanos(b));
            case (CelKind.Timestamp, CelKind.Duration):
                return CelTime.Timestamp(CelTime.TotalNanos(a) - CelTime.TotalNanos(b));
            case (CelKind.Duration, CelKind.Duration):
                return CelTime.Duration(CelTime.TotalNanos(a) - CelTime.TotalNanos(b));
            default:
                return CelValue.NoSuchOverload("_-_", a, b);
        }
    }

    public static CelValue Multiply(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var high = Math.BigMul(a.IntValue, b.IntValue, out long low);
                return high != (low >> 63) ? Overflow() : CelValue.Int(low);
            case (CelKind.Uint, CelKind.Uint):
                var uhigh = Math.BigMul(a.UintValue, b.UintValue, out ulong ulow);
                return uhigh != 0 ? Overflow() : CelValue.Uint(ulow);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(a.DoubleValue * b.DoubleValue);
            default:
                return CelValue.NoSuchOverload("_*_", a, b);
        }
    }

    public static CelValue Divide(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                if (b.IntValue == 0)
                {
                    return CelValue.Error("divide by zero");
                }

                return a.IntValue == long.MinValue && b.IntValue == -1 ? Overflow() : CelValue.Int(a.IntValue / b.IntValue);
            case (CelKind.Uint, CelKind.Uint):
                return b.UintValue == 0 ? CelValue.Error("divide by zero") : CelValue.Uint(a.UintValue / b.UintValue);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(a.DoubleValue / b.DoubleValue);
            default:
                return CelValue.NoSuchOverload("_/_", a, b);
        }
    }

    public static CelValue Modulo(in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                if (b.IntValue == 0)
                {
                    return CelValue.Error("modulus by zero");
                }

                return a.IntValue == long.MinValue && b.IntValue == -1 ? Overflow() : CelValue.Int(a.IntValue % b.IntValue);
            case (CelKind.Uint, CelKind.Uint):
                return b.UintValue == 0 ? CelValue.Error("modulus by zero") : CelValue.Uint(a.UintValue % b.UintValue);
            default:
                return CelValue.NoSuchOverload("_%_", a, b);
        }
    }

    public static CelValue Negate(in CelValue a) => a.Kind switch
    {
        CelKind.Error => a,
        CelKind.Int => a.IntValue == long.MinValue ? Overflow() : CelValue.Int(-a.IntValue),
        CelKind.Double => CelValue.Double(-a.DoubleValue),
        _ => CelValue.NoSuchOverload("-_", a),
    };

    public static CelValue Not(in CelValue a) => a.Kind switch
    {
        CelKind.Error => a,
        CelKind.Bool => CelValue.Bool(!a.BoolValue),
        _ => CelValue.NoSuchOverload("!_", a),
    };

    private static CelValue Overflow() => CelValue.Error("return error for overflow");

    // ---- aggregates -------------------------------------------------------------------------------------------

    public static CelValue Index(in CelValue container, in CelValue index)
    {
        if (container.IsError)
        {
            return container;
        }

        if (index.IsError)
        {
            return index;
        }

        switch (container.Kind)
        {
            case CelKind.List:
                var list = container.ListValue;
                long i;
                switch (index.Kind)
                {
                    case CelKind.Int:
                        i = index.IntValue;
                        break;
                    case CelKind.Uint:
                        i = index.UintValue > long.MaxValue ? -1 : (long)index.UintValue;
                        break;
                    case CelKind.Double:
                        var d = index.DoubleValue;
                        if (d != Math.Floor(d) || d < -9.2e18 || d > 9.2e18)
                        {
                            return CelValue.Error($"invalid_argument: unsupported index value {CelFormat.Double(d)}");
                        }

                        i = (long)d;
                        break;
                    default:
                        return CelValue.NoSuchOverload("_[_]", container, index);
                }

                return i >= 0 && i < list.Length ? list[i] : CelValue.Error($"invalid_argument: index out of bounds: {i}");
            case CelKind.Map:
                if (index.Kind is not (CelKind.Int or CelKind.Uint or CelKind.Double or CelKind.Bool or CelKind.String))
                {
                    return CelValue.NoSuchOverload("_[_]", container, index);
                }

                return container.MapValue.TryGet(index, out var value) ? value : CelValue.Error($"no such key: {CelFormat.Debug(index)}");
            default:
                return CelValue.NoSuchOverload("_[_]", container, index);
        }
    }

    public static CelValue In(in CelValue element, in CelValue container)
    {
        if (element.IsError)
        {
            return element;
        }

        if (container.IsError)
        {
            return container;
        }

        switch (container.Kind)
        {
            case CelKind.List:
                foreach (var item in container.ListValue)
                {
                    if (ValueEquals(element, item))
                    {
                        return CelValue.True;
                    }
                }

                return CelValue.False;
            case CelKind.Map:
                return CelValue.Bool(container.MapValue.ContainsKey(element));
            default:
                return CelValue.NoSuchOverload("@in", element, container);
        }
    }

    public static CelValue Select(in CelValue operand, string field)
    {
        switch (operand.Kind)
        {
            case CelKind.Error:
                return operand;
            case CelKind.Map:
                return operand.MapValue.TryGet(field, out var value) ? value : CelValue.Error($"no such key: {field}");
            default:
                return CelValue.Error($"type '{operand.TypeName}' does not support field selection");
        }
    }

    public static CelValue Has(in CelValue operand, string field) => operand.Kind switch
    {
        CelKind.Error => operand,
        CelKind.Map => CelValue.Bool(operand.MapValue.TryGet(field, out _)),
        _ => CelValue.Error($"type '{operand.TypeName}' does not support field selection"),
    };

    public static CelValue Size(in CelValue a) => a.Kind switch
    {
        CelKind.Error => a,
        CelKind.String => CelValue.Int(CodePointCount(a.StringValue)),
        CelKind.Bytes => CelValue.Int(a.BytesValue.Length),
        CelKind.List => CelValue.Int(a.ListValue.Length),
        CelKind.Map => CelValue.Int(a.MapValue.Count),
        _ => CelValue.NoSuchOverload("size", a),
    };

    public static int CodePointCount(string s)
    {
        var span = s.AsSpan();
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return span.Length;
        }

        var count = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (!(char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1])))
            {
                count++;
            }
        }

        return count;
    }

    // ---- strings ----------------------------------------------------------------------------------------------

    public static CelValue StringTest(string function, in CelValue a, in CelValue b)
    {
        if (a.IsError)
        {
            return a;
        }

        if (b.IsError)
        {
            return b;
        }

        if (a.Kind != CelKind.String || b.Kind != CelKind.String)
        {
            return CelValue.NoSuchOverload(function, a, b);
        }

        var s = a.StringValue;
        var t = b.StringValue;
        return function switch
        {
            "contains" => CelValue.Bool(s.Contains(t, StringComparison.Ordinal)),
            "startsWith" => CelValue.Bool(s.StartsWith(t, StringComparison.Ordinal)),
            _ => CelValue.Bool(s.EndsWith(t, StringComparison.Ordinal)),
        };
    }

    public static CelValue Matches(in CelValue a, in CelValue pattern)
    {
        if (a.IsError)
        {
            return a;
        }

        if (pattern.IsError)
        {
            return pattern;
        }

        if (a.Kind != CelKind.String || pattern.Kind != CelKind.String)
        {
            return CelValue.NoSuchOverload("matches", a, pattern);
        }

        if (Patterns.Count > MaxCachedPatterns)
        {
            Patterns.Clear();
        }

        var regex = Patterns.GetOrAdd(pattern.StringValue, static p => TryCompileRegex(p, out var r, out _) ? r : null);
        return regex is null ? CelValue.Error($"invalid regular expression '{pattern.StringValue}'") : CelValue.Bool(regex.IsMatch(a.StringValue));
    }

    /// <summary>Compiles an RE2-style pattern; the non-backtracking engine keeps matching linear in the input, as RE2 does.</summary>
    public static bool TryCompileRegex(string pattern, out Regex? regex, out string? error)
    {
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }
        catch (NotSupportedException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }
    }

    // ---- conversions ------------------------------------------------------------------------------------------

    public static CelValue ToInt(in CelValue a)
    {
        switch (a.Kind)
        {
            case CelKind.Error:
            case CelKind.Int:
                return a;
            case CelKind.Uint:
                return a.UintValue > long.MaxValue ? RangeError("int", a) : CelValue.Int((long)a.UintValue);
            case CelKind.Double:
                var d = a.DoubleValue;
                // Both ends are exclusive: (double)long.MaxValue rounds up to 2^63, which no int holds.
                if (double.IsNaN(d) || d <= -9223372036854775808.0 || d >= 9223372036854775807.0)
                {
                    return RangeError("int", a);
                }

                return CelValue.Int((long)d);
            case CelKind.String:
                return long.TryParse(a.StringValue, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? CelValue.Int(l)
                    : CelValue.Error($"cannot convert '{a.StringValue}' to int");
            case CelKind.Timestamp:
                return CelValue.Int(a.Seconds);
            default:
                return CelValue.NoSuchOverload("int", a);
        }
    }

    public static CelValue ToUint(in CelValue a)
    {
        switch (a.Kind)
        {
            case CelKind.Error:
            case CelKind.Uint:
                return a;
            case CelKind.Int:
                return a.IntValue < 0 ? RangeError("uint", a) : CelValue.Uint((ulong)a.IntValue);
            case CelKind.Double:
                var d = a.DoubleValue;
                if (double.IsNaN(d) || d < 0 || d >= 18446744073709551616.0)
                {
                    return RangeError("uint", a);
                }

                return CelValue.Uint((ulong)d);
            case CelKind.String:
                return ulong.TryParse(a.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                    ? CelValue.Uint(u)
                    : CelValue.Error($"cannot convert '{a.StringValue}' to uint");
            default:
                return CelValue.NoSuchOverload("uint", a);
        }
    }

    public static CelValue ToDouble(in CelValue a)
    {
        switch (a.Kind)
        {
            case CelKind.Error:
            case CelKind.Double:
                return a;
            case CelKind.Int:
                return CelValue.Double(a.IntValue);
            case CelKind.Uint:
                return CelValue.Double(a.UintValue);
            case CelKind.String:
                return TryParseDouble(a.StringValue, out var d) ? CelValue.Double(d) : CelValue.Error($"cannot convert '{a.StringValue}' to double");
            default:
                return CelValue.NoSuchOverload("double", a);
        }
    }

    public static bool TryParseDouble(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity":
                value = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                value = double.NegativeInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
        }

        // A finite-looking number too large for a double is a range error (as Go's ParseFloat reports), not infinity.
        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    public static CelValue ToStringValue(in CelValue a)
    {
        switch (a.Kind)
        {
            case CelKind.Error:
            case CelKind.String:
                return a;
            case CelKind.Int:
                return CelValue.String(a.IntValue.ToString(CultureInfo.InvariantCulture));
            case CelKind.Uint:
                return CelValue.String(a.UintValue.ToString(CultureInfo.InvariantCulture));
            case CelKind.Double:
                return CelValue.String(CelFormat.Double(a.DoubleValue));
            case CelKind.Bool:
                return CelValue.String(a.BoolValue ? "true" : "false");
            case CelKind.Bytes:
                try
                {
                    return CelValue.String(StrictUtf8.GetString(a.BytesValue));
                }
                catch (DecoderFallbackException)
                {
                    return CelValue.Error("invalid UTF-8 in bytes, cannot convert to string");
                }

            case CelKind.Timestamp:
                return CelValue.String(CelTime.FormatTimestamp(a));
            case CelKind.Duration:
                return CelValue.String(CelTime.FormatDuration(a));
            default:
                return CelValue.NoSuchOverload("string", a);
        }
    }

    public static CelValue ToBytes(in CelValue a) => a.Kind switch
    {
        CelKind.Error or CelKind.Bytes => a,
        CelKind.String => CelValue.Bytes(Encoding.UTF8.GetBytes(a.StringValue)),
        _ => CelValue.NoSuchOverload("bytes", a),
    };

    public static CelValue ToBool(in CelValue a) => a.Kind switch
    {
        CelKind.Error or CelKind.Bool => a,
        CelKind.String => a.StringValue switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => CelValue.True,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => CelValue.False,
            _ => CelValue.Error($"cannot convert '{a.StringValue}' to bool"),
        },
        _ => CelValue.NoSuchOverload("bool", a),
    };

    public static CelValue ToTimestamp(in CelValue a) => a.Kind switch
    {
        CelKind.Error or CelKind.Timestamp => a,
        CelKind.String => CelTime.ParseTimestamp(a.StringValue),
        CelKind.Int => CelTime.TimestampFromUnixSeconds(a.IntValue),
        _ => CelValue.NoSuchOverload("timestamp", a),
    };

    public static CelValue ToDuration(in CelValue a) => a.Kind switch
    {
        CelKind.Error or CelKind.Duration => a,
        CelKind.String => CelTime.ParseDuration(a.StringValue),
        _ => CelValue.NoSuchOverload("duration", a),
    };

    public static CelValue TypeOf(in CelValue a) => a.IsError ? a : CelValue.Type(CelTypeValue.Of(a));

    public static CelValue TimeField(string function, in CelValue target, in CelValue zone, bool hasZone)
    {
        if (target.IsError)
        {
            return target;
        }

        if (hasZone && zone.IsError)
        {
            return zone;
        }

        if (target.Kind == CelKind.Duration && !hasZone && function is "getHours" or "getMinutes" or "getSeconds" or "getMilliseconds")
        {
            return CelTime.DurationField(target, function);
        }

        if (target.Kind != CelKind.Timestamp || (hasZone && zone.Kind != CelKind.String))
        {
            return hasZone ? CelValue.NoSuchOverload(function, target, zone) : CelValue.NoSuchOverload(function, target);
        }

        return CelTime.Field(target, function, hasZone ? zone.StringValue : null);
    }

    private static CelValue RangeError(string to, in CelValue a) => CelValue.Error($"range error converting {CelFormat.Debug(a)} to {to}");
}
