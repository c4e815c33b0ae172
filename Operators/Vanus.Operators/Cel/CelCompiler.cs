using System.Text.RegularExpressions;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Cel;

/// <summary>Evaluates one compiled node against a frame.</summary>
internal delegate CelValue CelEval(ref CelFrame frame);

/// <summary>What one evaluation sees: the event (for attributes and data variables) and the slots of macro variables.</summary>
internal struct CelFrame
{
    public Event? Event;
    public CelValue[]? Locals;

    /// <summary>Whether the event's data was found to be well-formed JSON: 0 not yet checked, 1 yes, 2 no (checked once per evaluation).</summary>
    public byte DataState;
}

/// <summary>
/// Turns a checked CEL tree into a tree of delegates, once, so that evaluation per event is a walk over closures with
/// no parsing, no name lookups and no boxing. Calls whose arguments are all constants are folded (their error, if any,
/// is kept as a constant error so that <c>false &amp;&amp; 1/0 == 0</c> still evaluates to false).
/// </summary>
internal sealed class CelCompiler(string source, bool strict)
{
    private static readonly Func<int, bool> Lt = static c => c < 0;
    private static readonly Func<int, bool> Le = static c => c <= 0;
    private static readonly Func<int, bool> Gt = static c => c > 0;
    private static readonly Func<int, bool> Ge = static c => c >= 0;

    public CelEval Compile(CelNode node) => Visit(node).Eval;

    private Compiled Visit(CelNode node) => node switch
    {
        LiteralNode literal => Compiled.Const(literal.Value),
        IdentNode ident => Ident(ident),
        DataVariableNode data => new Compiled(data.Variable!.Read),
        SelectNode select => Select(select),
        ListNode list => List(list),
        MapNode map => Map(map),
        ComprehensionNode comprehension => Comprehension(comprehension),
        CallNode call => Call(call),
        _ => throw new InvalidOperationException($"Cannot compile CEL node {node.GetType().Name}."),
    };

    private static Compiled Ident(IdentNode ident)
    {
        if (ident.Slot >= 0)
        {
            var slot = ident.Slot;
            return new Compiled((ref CelFrame f) => f.Locals![slot]);
        }

        return new Compiled(ident.Variable!.Read);
    }

    private Compiled Select(SelectNode select)
    {
        if (select.Variable is { } variable)
        {
            return new Compiled(variable.Read);
        }

        var operand = Visit(select.Operand).Eval;
        var field = select.Field;
        return select.TestOnly
            ? new Compiled((ref CelFrame f) => CelRuntime.Has(operand(ref f), field))
            : new Compiled((ref CelFrame f) => CelRuntime.Select(operand(ref f), field));
    }

    private Compiled List(ListNode list)
    {
        var items = list.Elements.Select(Visit).ToArray();
        var evals = items.Select(i => i.Eval).ToArray();
        CelValue Build(ref CelFrame f)
        {
            var values = new CelValue[evals.Length];
            for (var i = 0; i < evals.Length; i++)
            {
                var v = evals[i](ref f);
                if (v.IsError)
                {
                    return v;
                }

                values[i] = v;
            }

            return CelValue.List(values);
        }

        return Fold(items, Build);
    }

    private Compiled Map(MapNode map)
    {
        var keys = map.Keys.Select(Visit).ToArray();
        var values = map.Values.Select(Visit).ToArray();
        var keyEvals = keys.Select(k => k.Eval).ToArray();
        var valueEvals = values.Select(v => v.Eval).ToArray();
        CelValue Build(ref CelFrame f)
        {
            var ks = new CelValue[keyEvals.Length];
            var vs = new CelValue[keyEvals.Length];
            for (var i = 0; i < keyEvals.Length; i++)
            {
                var k = keyEvals[i](ref f);
                if (k.IsError)
                {
                    return k;
                }

                var v = valueEvals[i](ref f);
                if (v.IsError)
                {
                    return v;
                }

                ks[i] = k;
                vs[i] = v;
            }

            return CelMap.Create(ks, vs);
        }

        return Fold([.. keys, .. values], Build);
    }

    private Compiled Comprehension(ComprehensionNode node)
    {
        var range = Visit(node.Range).Eval;
        var step = Visit(node.Step).Eval;
        var transform = node.Transform is null ? null : Visit(node.Transform).Eval;
        var slot = node.Slot;
        var kind = node.Kind;
        var name = kind switch
        {
            MacroKind.All => "all",
            MacroKind.Exists => "exists",
            MacroKind.ExistsOne => "exists_one",
            MacroKind.Map => "map",
            _ => "filter",
        };

        return new Compiled((ref CelFrame f) =>
        {
            var r = range(ref f);
            CelValue[] items;
            switch (r.Kind)
            {
                case CelKind.Error:
                    return r;
                case CelKind.List:
                    items = r.ListValue;
                    break;
                case CelKind.Map:
                    items = r.MapValue.Keys;
                    break;
                default:
                    return CelValue.NoSuchOverload(name, r);
            }

            var locals = f.Locals!;
            switch (kind)
            {
                case MacroKind.All:
                case MacroKind.Exists:
                    // The predicates combine with && (all) or || (exists): a deciding value wins over any error.
                    var decisive = kind == MacroKind.Exists;
                    CelValue? error = null;
                    foreach (var item in items)
                    {
                        locals[slot] = item;
                        var p = step(ref f);
                        if (p.Kind == CelKind.Bool)
                        {
                            if (p.BoolValue == decisive)
                            {
                                return p;
                            }
                        }
                        else
                        {
                            error ??= p.IsError ? p : CelValue.NoSuchOverload(name, p);
                        }
                    }

                    return error ?? CelValue.Bool(!decisive);
                case MacroKind.ExistsOne:
                    var count = 0;
                    foreach (var item in items)
                    {
                        locals[slot] = item;
                        var p = step(ref f);
                        if (p.Kind != CelKind.Bool)
                        {
                            return p.IsError ? p : CelValue.NoSuchOverload(name, p);
                        }

                        if (p.BoolValue)
                        {
                            count++;
                        }
                    }

                    return CelValue.Bool(count == 1);
                case MacroKind.Filter:
                    var kept = new List<CelValue>();
                    foreach (var item in items)
                    {
                        locals[slot] = item;
                        var p = step(ref f);
                        if (p.Kind != CelKind.Bool)
                        {
                            return p.IsError ? p : CelValue.NoSuchOverload(name, p);
                        }

                        if (p.BoolValue)
                        {
                            kept.Add(item);
                        }
                    }

                    return CelValue.List([.. kept]);
                default:
                    var mapped = new List<CelValue>(items.Length);
                    foreach (var item in items)
                    {
                        locals[slot] = item;
                        if (transform is not null)
                        {
                            var p = step(ref f);
                            if (p.Kind != CelKind.Bool)
                            {
                                return p.IsError ? p : CelValue.NoSuchOverload(name, p);
                            }

                            if (!p.BoolValue)
                            {
                                continue;
                            }
                        }

                        var v = (transform ?? step)(ref f);
                        if (v.IsError)
                        {
                            return v;
                        }

                        mapped.Add(v);
                    }

                    return CelValue.List([.. mapped]);
            }
        });
    }

    private Compiled Call(CallNode call)
    {
        var parts = new List<Compiled>(call.Args.Length + 1);
        if (call.Target is not null)
        {
            parts.Add(Visit(call.Target));
        }

        foreach (var arg in call.Args)
        {
            parts.Add(Visit(arg));
        }

        var args = parts.ToArray();
        var receiver = call.Target is not null;
        var function = call.Function;

        switch (function)
        {
            case "_&&_":
                return Fold(args, Logical(args[0].Eval, args[1].Eval, decisive: false));
            case "_||_":
                return Fold(args, Logical(args[0].Eval, args[1].Eval, decisive: true));
            case "_?_:_":
                return Conditional(args);
            case "_==_":
                return Equality(args, negate: false);
            case "_!=_":
                return Equality(args, negate: true);
            case "_<_":
                return Relation(args, function, Lt);
            case "_<=_":
                return Relation(args, function, Le);
            case "_>_":
                return Relation(args, function, Gt);
            case "_>=_":
                return Relation(args, function, Ge);
            case "matches" when args.Length == 2 && args[1].Constant is { Kind: CelKind.String } pattern:
                return LiteralMatches(call, args[0].Eval, pattern.StringValue);
        }

        CelEval? eval = (function, args.Length, receiver) switch
        {
            ("!_", 1, false) => Unary(args, CelRuntime.Not),
            ("-_", 1, false) => Unary(args, CelRuntime.Negate),
            ("_+_", 2, false) => Binary(args, CelRuntime.Add),
            ("_-_", 2, false) => Binary(args, CelRuntime.Subtract),
            ("_*_", 2, false) => Binary(args, CelRuntime.Multiply),
            ("_/_", 2, false) => Binary(args, CelRuntime.Divide),
            ("_%_", 2, false) => Binary(args, CelRuntime.Modulo),
            ("_[_]", 2, false) => Binary(args, CelRuntime.Index),
            ("@in", 2, false) => Binary(args, CelRuntime.In),
            ("size", 1, _) => Unary(args, CelRuntime.Size),
            ("contains" or "startsWith" or "endsWith", 2, true) => StringTest(args, function),
            ("matches", 2, _) => Binary(args, CelRuntime.Matches),
            ("int", 1, false) => Unary(args, CelRuntime.ToInt),
            ("uint", 1, false) => Unary(args, CelRuntime.ToUint),
            ("double", 1, false) => Unary(args, CelRuntime.ToDouble),
            ("string", 1, false) => Unary(args, CelRuntime.ToStringValue),
            ("bytes", 1, false) => Unary(args, CelRuntime.ToBytes),
            ("bool", 1, false) => Unary(args, CelRuntime.ToBool),
            ("dyn", 1, false) => args[0].Eval,
            ("type", 1, false) => Unary(args, CelRuntime.TypeOf),
            ("timestamp", 1, false) => Unary(args, CelRuntime.ToTimestamp),
            ("duration", 1, false) => Unary(args, CelRuntime.ToDuration),
            ("getFullYear" or "getMonth" or "getDate" or "getDayOfMonth" or "getDayOfWeek" or "getDayOfYear"
                or "getHours" or "getMinutes" or "getSeconds" or "getMilliseconds", 1 or 2, true) => TimeField(args, function),
            _ => null,
        };

        if (eval is null)
        {
            if (strict)
            {
                throw CelParseException.At(source, call.Offset, $"undeclared reference to function '{function}'");
            }

            var error = CelValue.Error($"no such overload: {function} with {args.Length} argument(s)");
            eval = (ref CelFrame _) => error;
        }

        return Fold(args, eval);
    }

    private static CelEval Unary(Compiled[] args, UnaryFunction function)
    {
        var a = args[0].Eval;
        return (ref CelFrame f) => function(a(ref f));
    }

    private static CelEval Binary(Compiled[] args, BinaryFunction function)
    {
        var a = args[0].Eval;
        var b = args[1].Eval;
        return (ref CelFrame f) => function(a(ref f), b(ref f));
    }

    private static CelEval StringTest(Compiled[] args, string function)
    {
        var a = args[0].Eval;
        var b = args[1].Eval;

        // The common case, a string tested against a literal, runs without dispatching on the function name.
        if (args[1].Constant is { Kind: CelKind.String } literal)
        {
            var text = literal.StringValue;
            var constant = literal;
            return function switch
            {
                "startsWith" => (ref CelFrame f) =>
                {
                    var v = a(ref f);
                    return v.Kind == CelKind.String ? CelValue.Bool(v.StringValue.StartsWith(text, StringComparison.Ordinal)) : CelRuntime.StringTest(function, v, constant);
                },
                "endsWith" => (ref CelFrame f) =>
                {
                    var v = a(ref f);
                    return v.Kind == CelKind.String ? CelValue.Bool(v.StringValue.EndsWith(text, StringComparison.Ordinal)) : CelRuntime.StringTest(function, v, constant);
                },
                _ => (ref CelFrame f) =>
                {
                    var v = a(ref f);
                    return v.Kind == CelKind.String ? CelValue.Bool(v.StringValue.Contains(text, StringComparison.Ordinal)) : CelRuntime.StringTest(function, v, constant);
                },
            };
        }

        return (ref CelFrame f) => CelRuntime.StringTest(function, a(ref f), b(ref f));
    }

    private static CelEval TimeField(Compiled[] args, string function)
    {
        var target = args[0].Eval;
        if (args.Length == 1)
        {
            return (ref CelFrame f) => CelRuntime.TimeField(function, target(ref f), default, hasZone: false);
        }

        var zone = args[1].Eval;
        return (ref CelFrame f) => CelRuntime.TimeField(function, target(ref f), zone(ref f), hasZone: true);
    }

    /// <summary>
    /// <c>&amp;&amp;</c> (decisive false) and <c>||</c> (decisive true): a decisive operand decides whatever the other one
    /// is, including an error; otherwise an error wins over a non-bool, and two bools give the non-decisive value.
    /// </summary>
    private static CelEval Logical(CelEval left, CelEval right, bool decisive)
    {
        var function = decisive ? "_||_" : "_&&_";
        return (ref CelFrame f) =>
        {
            var a = left(ref f);
            if (a.Kind == CelKind.Bool && a.BoolValue == decisive)
            {
                return a;
            }

            var b = right(ref f);
            if (b.Kind == CelKind.Bool)
            {
                if (b.BoolValue == decisive)
                {
                    return b;
                }

                if (a.Kind == CelKind.Bool)
                {
                    return a;
                }
            }

            if (a.IsError)
            {
                return a;
            }

            if (b.IsError)
            {
                return b;
            }

            return CelValue.NoSuchOverload(function, a, b);
        };
    }

    private static Compiled Conditional(Compiled[] args)
    {
        if (args[0].Constant is { } c)
        {
            if (c.Kind == CelKind.Bool)
            {
                return c.BoolValue ? args[1] : args[2];
            }

            return Compiled.Const(c.IsError ? c : CelValue.NoSuchOverload("_?_:_", c));
        }

        var test = args[0].Eval;
        var then = args[1].Eval;
        var otherwise = args[2].Eval;
        return new Compiled((ref CelFrame f) =>
        {
            var v = test(ref f);
            if (v.Kind == CelKind.Bool)
            {
                return v.BoolValue ? then(ref f) : otherwise(ref f);
            }

            return v.IsError ? v : CelValue.NoSuchOverload("_?_:_", v);
        });
    }

    private static Compiled Equality(Compiled[] args, bool negate)
    {
        var a = args[0];
        var b = args[1];

        // Hot path of filters: an attribute or variable compared with a string or int literal needs no dispatch.
        if (b.Constant is { Kind: CelKind.String } s && a.Constant is null)
        {
            var left = a.Eval;
            var text = s.StringValue;
            var constant = s;
            return new Compiled(negate
                ? (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.String ? CelValue.Bool(!string.Equals(v.StringValue, text, StringComparison.Ordinal)) : CelRuntime.NotEqual(v, constant);
                }
                : (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.String ? CelValue.Bool(string.Equals(v.StringValue, text, StringComparison.Ordinal)) : CelRuntime.Equal(v, constant);
                });
        }

        return Fold(args, negate ? Binary(args, CelRuntime.NotEqual) : Binary(args, CelRuntime.Equal));
    }

    private static Compiled Relation(Compiled[] args, string function, Func<int, bool> test)
    {
        var a = args[0];
        var b = args[1];
        if (b.Constant is { Kind: CelKind.Int } n && a.Constant is null)
        {
            var left = a.Eval;
            var number = n.IntValue;
            var constant = n;
            return new Compiled(function switch
            {
                "_<_" => (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.Int ? CelValue.Bool(v.IntValue < number) : CelRuntime.Relation(function, v, constant, test);
                },
                "_<=_" => (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.Int ? CelValue.Bool(v.IntValue <= number) : CelRuntime.Relation(function, v, constant, test);
                },
                "_>_" => (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.Int ? CelValue.Bool(v.IntValue > number) : CelRuntime.Relation(function, v, constant, test);
                },
                _ => (ref CelFrame f) =>
                {
                    var v = left(ref f);
                    return v.Kind == CelKind.Int ? CelValue.Bool(v.IntValue >= number) : CelRuntime.Relation(function, v, constant, test);
                },
            });
        }

        var x = a.Eval;
        var y = b.Eval;
        return Fold(args, (ref CelFrame f) => CelRuntime.Relation(function, x(ref f), y(ref f), test));
    }

    private Compiled LiteralMatches(CallNode call, CelEval text, string pattern)
    {
        if (!CelRuntime.TryCompileRegex(pattern, out var regex, out var problem))
        {
            if (strict)
            {
                throw CelParseException.At(source, call.Offset, $"invalid regular expression '{pattern}': {problem}");
            }

            var error = CelValue.Error($"invalid regular expression '{pattern}'");
            return new Compiled((ref CelFrame _) => error);
        }

        return new Compiled((ref CelFrame f) => Match(text(ref f), regex!));
    }

    private static CelValue Match(in CelValue text, Regex regex) => text.Kind switch
    {
        CelKind.Error => text,
        CelKind.String => CelValue.Bool(regex.IsMatch(text.StringValue)),
        _ => CelValue.NoSuchOverload("matches", text),
    };

    private static Compiled Fold(Compiled[] parts, CelEval eval)
    {
        foreach (var part in parts)
        {
            if (part.Constant is null)
            {
                return new Compiled(eval);
            }
        }

        // Every input is constant, so the result is too; evaluating it now also catches nothing early, since errors stay values.
        var frame = default(CelFrame);
        return Compiled.Const(eval(ref frame));
    }

    private delegate CelValue UnaryFunction(in CelValue a);

    private delegate CelValue BinaryFunction(in CelValue a, in CelValue b);

    private readonly record struct Compiled(CelEval Eval, CelValue? Constant = null)
    {
        public static Compiled Const(CelValue value) => new((ref CelFrame _) => value, value);
    }
}
