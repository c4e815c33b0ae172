using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>
/// The built-in functions of CESQL 1.0 (section 3.5) and the casting functions INT, BOOL, STRING, IS_INT and
/// IS_BOOL. A call is resolved once, by name (case-insensitive) and number of arguments; each argument is evaluated
/// and cast to its parameter type in turn, the first error stopping the call with the return type's zero value.
/// </summary>
internal static class CesqlFunctions
{
    private static readonly Dictionary<string, Overload[]> Functions = new(StringComparer.Ordinal)
    {
        ["LENGTH"] = [new(1, false, Length)],
        ["CONCAT"] = [new(0, true, Concat)],
        ["CONCAT_WS"] = [new(1, true, ConcatWs)],
        ["LOWER"] = [new(1, false, (call, args) => StringToString(call, args, static t => t.ToLowerInvariant()))],
        ["UPPER"] = [new(1, false, (call, args) => StringToString(call, args, static t => t.ToUpperInvariant()))],
        ["TRIM"] = [new(1, false, (call, args) => StringToString(call, args, static t => t.Trim()))],
        ["LEFT"] = [new(2, false, (call, args) => LeftOrRight(call, args, left: true))],
        ["RIGHT"] = [new(2, false, (call, args) => LeftOrRight(call, args, left: false))],
        ["SUBSTRING"] = [new(2, false, Substring), new(3, false, Substring)],
        ["ABS"] = [new(1, false, Abs)],
        ["INT"] = [new(1, false, CastInt)],
        ["BOOL"] = [new(1, false, CastBool)],
        ["STRING"] = [new(1, false, CastString)],
        ["IS_INT"] = [new(1, false, IsInt)],
        ["IS_BOOL"] = [new(1, false, IsBool)],
    };

    public static CompiledNode Compile(CallNode call, CompiledNode[] arguments)
    {
        var description = $"the result of {call.Name} {CesqlCompiler.At(call.Position)}";
        if (!Functions.TryGetValue(call.Name, out var overloads))
        {
            return Missing(call, description, $"there is no function {call.Name}");
        }

        foreach (var overload in overloads)
        {
            if (arguments.Length == overload.Arity || (overload.Variadic && arguments.Length > overload.Arity))
            {
                return CesqlCompiler.Fold(overload.Build(call, arguments), arguments);
            }
        }

        var arities = string.Join(" or ", overloads.Select(o => o.Variadic ? $"at least {o.Arity}" : o.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Missing(call, description, $"{call.Name} takes {arities} argument(s), not {arguments.Length}");
    }

    // The spec: a call that cannot be dispatched returns false and a MissingFunctionError; its arguments are
    // not evaluated, since there is nothing to pass them to.
    private static ConstantNode Missing(CallNode call, string description, string reason) =>
        new(CesqlValue.FromBoolean(false).WithError(CesqlErrorKind.MissingFunction, $"{reason} ({call.Name} {CesqlCompiler.At(call.Position)})"), description);

    private static string Describe(CallNode call) => $"the result of {call.Name} {CesqlCompiler.At(call.Position)}";

    private static string Failure(CallNode call, string reason) => $"{call.Name} {CesqlCompiler.At(call.Position)}: {reason}";

    private static IntegerNode Length(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsString();
        return new IntegerNode((Event e, ref EvalState s) =>
        {
            var t = x(e, ref s);
            return s.Failed ? 0 : CesqlText.Length(t);
        }, Describe(call));
    }

    private static StringNode Concat(CallNode call, CompiledNode[] args)
    {
        var parts = args.Select(a => a.AsString()).ToArray();
        return new StringNode((Event e, ref EvalState s) => Join(null, parts, e, ref s), Describe(call));
    }

    private static StringNode ConcatWs(CallNode call, CompiledNode[] args)
    {
        var delimiter = args[0].AsString();
        var parts = args[1..].Select(a => a.AsString()).ToArray();
        return new StringNode((Event e, ref EvalState s) =>
        {
            var d = delimiter(e, ref s);
            return s.Failed ? "" : Join(d, parts, e, ref s);
        }, Describe(call));
    }

    private static string Join(string? delimiter, Eval<string>[] parts, Event e, ref EvalState state)
    {
        if (parts.Length == 0)
        {
            return "";
        }

        var values = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            values[i] = parts[i](e, ref state);
            if (state.Failed)
            {
                return "";
            }
        }

        return delimiter is null ? string.Concat(values) : string.Join(delimiter, values);
    }

    private static StringNode StringToString(CallNode call, CompiledNode[] args, Func<string, string> apply)
    {
        var x = args[0].AsString();
        return new StringNode((Event e, ref EvalState s) =>
        {
            var t = x(e, ref s);
            return s.Failed ? "" : apply(t);
        }, Describe(call));
    }

    private static StringNode LeftOrRight(CallNode call, CompiledNode[] args, bool left)
    {
        var x = args[0].AsString();
        var y = args[1].AsInteger();
        var negative = Failure(call, "the character count is negative");
        return new StringNode((Event e, ref EvalState s) =>
        {
            var t = x(e, ref s);
            if (s.Failed)
            {
                return "";
            }

            var n = y(e, ref s);
            if (s.Failed)
            {
                return "";
            }

            if (n < 0)
            {
                // The spec's value for this error is x itself.
                s.Fail(CesqlErrorKind.FunctionEvaluation, negative);
                return t;
            }

            var length = CesqlText.Length(t);
            if (n >= length)
            {
                return t;
            }

            return left ? CesqlText.Slice(t, 0, n) : CesqlText.Slice(t, length - n, length);
        }, Describe(call));
    }

    private static StringNode Substring(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsString();
        var position = args[1].AsInteger();
        var count = args.Length == 3 ? args[2].AsInteger() : null;
        var outOfRange = Failure(call, "the position is beyond the string (it must lie between -LENGTH and LENGTH)");
        var negative = Failure(call, "the length is negative");
        return new StringNode((Event e, ref EvalState s) =>
        {
            var t = x(e, ref s);
            if (s.Failed)
            {
                return "";
            }

            var pos = position(e, ref s);
            if (s.Failed)
            {
                return "";
            }

            var len = int.MaxValue;
            if (count is not null)
            {
                len = count(e, ref s);
                if (s.Failed)
                {
                    return "";
                }
            }

            var length = CesqlText.Length(t);
            if (pos > length || pos < -length)
            {
                s.Fail(CesqlErrorKind.FunctionEvaluation, outOfRange);
                return "";
            }

            if (len < 0)
            {
                s.Fail(CesqlErrorKind.FunctionEvaluation, negative);
                return "";
            }

            if (pos == 0)
            {
                return "";
            }

            // Positions count from 1; a negative one counts back from the end.
            var begin = pos > 0 ? pos - 1 : length + pos;
            var end = (int)Math.Min(length, (long)begin + len);
            return CesqlText.Slice(t, begin, end);
        }, Describe(call));
    }

    private static IntegerNode Abs(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsInteger();
        var overflow = Failure(call, "the absolute value of -2147483648 is outside the 32-bit integer range");
        return new IntegerNode((Event e, ref EvalState s) =>
        {
            var v = x(e, ref s);
            if (s.Failed)
            {
                return 0;
            }

            if (v == int.MinValue)
            {
                // The spec's value for this error is 2147483647.
                s.Fail(CesqlErrorKind.Math, overflow);
                return int.MaxValue;
            }

            return Math.Abs(v);
        }, Describe(call));
    }

    private static IntegerNode CastInt(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsValue();
        var message = Failure(call, "the argument is not a valid Integer");
        return new IntegerNode((Event e, ref EvalState s) =>
        {
            var v = x(e, ref s);
            return s.Failed ? 0 : CesqlCasts.ToInteger(v, ref s, message);
        }, Describe(call));
    }

    private static BooleanNode CastBool(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsValue();
        var message = Failure(call, "the argument is not a valid Boolean");
        return new BooleanNode((Event e, ref EvalState s) =>
        {
            var v = x(e, ref s);
            return !s.Failed && CesqlCasts.ToBoolean(v, ref s, message);
        }, Describe(call));
    }

    private static StringNode CastString(CallNode call, CompiledNode[] args) => new(args[0].AsString(), Describe(call));

    private static BooleanNode IsInt(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsValue();
        return new BooleanNode((Event e, ref EvalState s) =>
        {
            var v = x(e, ref s);
            return !s.Failed && (v.Type != CesqlType.String || CesqlCasts.TryParseInteger(v.RawText, out _));
        }, Describe(call));
    }

    private static BooleanNode IsBool(CallNode call, CompiledNode[] args)
    {
        var x = args[0].AsValue();
        return new BooleanNode((Event e, ref EvalState s) =>
        {
            var v = x(e, ref s);
            return !s.Failed && (v.Type != CesqlType.String || CesqlCasts.TryParseBoolean(v.RawText, out _));
        }, Describe(call));
    }

    /// <summary>One definition of a function name: its fixed arity, whether more arguments may follow, and how to compile a call.</summary>
    private sealed record Overload(int Arity, bool Variadic, Func<CallNode, CompiledNode[], CompiledNode> Build);
}
