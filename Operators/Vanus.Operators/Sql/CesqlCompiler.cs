using System.Globalization;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>
/// Turns the parsed tree into delegates once: resolves functions and operator overloads, casts where the static
/// types allow it at compile time, folds every subexpression whose inputs are literals (errors included), and
/// specialises LIKE patterns and constant IN sets. Evaluation then never looks at the tree again.
/// </summary>
/// <remarks>
/// Errors follow the spec's fail-fast mode (section 4.1): operands are evaluated left to right; the first error
/// stops the evaluation, and every operator it passes through returns its zero value. An operator evaluates its
/// operands before it casts them, so <c>'a' + missing</c> reports the missing attribute, as <c>1 / missing</c> must.
/// </remarks>
internal sealed class CesqlCompiler
{
    // Folding runs a subexpression that reads no attribute; it never looks at the event it is given.
    private static readonly Event FoldingEvent = new("cesql-folding", "/cesql", "cesql.folding");

    public static CompiledNode Compile(CesqlNode node) => node switch
    {
        LiteralNode literal => new ConstantNode(literal.Value, DescribeLiteral(literal)),
        IdentifierNode identifier => CompileIdentifier(identifier),
        ExistsNode exists => CompileExists(exists),
        UnaryNode { Operator: UnaryOperator.Not } not => CompileNot(not),
        UnaryNode negate => CompileNegate(negate),
        BinaryNode binary => CompileBinary(binary),
        LogicChainNode chain => CompileLogic(chain),
        LikeNode like => CompileLike(like),
        InNode @in => CompileIn(@in),
        CallNode call => CesqlFunctions.Compile(call, [.. call.Arguments.Select(Compile)]),
        _ => throw new InvalidOperationException($"Unknown CESQL node {node.GetType().Name}."),
    };

    /// <summary>Replaces a node by its value when all its inputs are constants (CESQL functions and operators are pure).</summary>
    public static CompiledNode Fold(CompiledNode node, params CompiledNode[] inputs)
    {
        if (node.IsConstant || !Array.TrueForAll(inputs, i => i.IsConstant))
        {
            return node;
        }

        var state = default(EvalState);
        var value = node.AsValue()(FoldingEvent, ref state);
        return new ConstantNode(state.Failed ? value.WithError(state.Kind, state.Message) : value, node.Description);
    }

    public static string At(int position) => "at position " + position.ToString(CultureInfo.InvariantCulture);

    private static string DescribeLiteral(LiteralNode literal) => literal.Value.Type switch
    {
        CesqlType.String => $"the string {Quote(literal.Value.AsString)} {At(literal.Position)}",
        _ => $"the literal {literal.Value} {At(literal.Position)}",
    };

    private static string Quote(string text) => text.Length <= 24 ? $"'{text}'" : $"'{text[..24]}...'";

    private static CompiledNode CompileIdentifier(IdentifierNode node)
    {
        var description = $"attribute '{node.Name}' {At(node.Position)}";
        var missing = $"{description} is not in the event";
        return node.Name switch
        {
            // Events here are CloudEvents 1.0 by construction, so specversion is a constant.
            "specversion" => new ConstantNode(CesqlValue.FromString(EventRules.SpecVersion), description),
            "id" => new StringNode(static (Event e, ref EvalState s) => e.Id, description),
            "source" => new StringNode(static (Event e, ref EvalState s) => e.Source, description),
            "type" => new StringNode(static (Event e, ref EvalState s) => e.Type, description),
            "subject" => new StringNode((Event e, ref EvalState s) => e.Subject ?? Missing(ref s, missing), description, optionalAttribute: true),
            "datacontenttype" => new StringNode((Event e, ref EvalState s) => e.DataContentType ?? Missing(ref s, missing), description, optionalAttribute: true),
            "dataschema" => new StringNode((Event e, ref EvalState s) => e.DataSchema ?? Missing(ref s, missing), description, optionalAttribute: true),
            "time" => new StringNode((Event e, ref EvalState s) => e.Time is { } t ? CesqlAttributes.FormatTime(t) : Missing(ref s, missing), description, optionalAttribute: true),
            _ => new ExtensionNode(node.Name, description),
        };
    }

    private static string Missing(ref EvalState state, string message)
    {
        state.Fail(CesqlErrorKind.MissingAttribute, message);
        return "";
    }

    private static CompiledNode CompileExists(ExistsNode node)
    {
        var description = $"EXISTS {node.Name} {At(node.Position)}";
        var name = node.Name;
        if (CesqlAttributes.IsRequired(name))
        {
            return new ConstantNode(CesqlValue.FromBoolean(true), description);
        }

        Eval<bool> eval = name switch
        {
            "subject" => static (Event e, ref EvalState s) => e.Subject is not null,
            "datacontenttype" => static (Event e, ref EvalState s) => e.DataContentType is not null,
            "dataschema" => static (Event e, ref EvalState s) => e.DataSchema is not null,
            "time" => static (Event e, ref EvalState s) => e.Time.HasValue,
            _ => (Event e, ref EvalState s) => e.Extensions.TryGet(name, out _),
        };
        return new BooleanNode(eval, description);
    }

    private static CompiledNode CompileNot(UnaryNode node)
    {
        var operand = Compile(node.Operand);
        var f = operand.AsBoolean();
        var result = new BooleanNode((Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            return !s.Failed && !v;
        }, $"the result of NOT {At(node.Position)}");
        return Fold(result, operand);
    }

    private static CompiledNode CompileNegate(UnaryNode node)
    {
        var operand = Compile(node.Operand);
        var f = operand.AsInteger();
        var overflow = $"'-' {At(node.Position)}: the negation of -2147483648 is outside the 32-bit integer range";
        var result = new IntegerNode((Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            if (s.Failed)
            {
                return 0;
            }

            if (v == int.MinValue)
            {
                s.Fail(CesqlErrorKind.Math, overflow);
                return 0;
            }

            return -v;
        }, $"the result of '-' {At(node.Position)}");
        return Fold(result, operand);
    }

    private static CompiledNode CompileBinary(BinaryNode node)
    {
        var left = Compile(node.Left);
        var right = Compile(node.Right);
        var description = $"the result of '{node.Symbol}' {At(node.Position)}";
        var math = node.Operator switch
        {
            BinaryOperator.Divide or BinaryOperator.Modulo => $"'{node.Symbol}' {At(node.Position)}: division by zero (or a quotient outside the 32-bit integer range)",
            _ => $"'{node.Symbol}' {At(node.Position)}: the result is outside the 32-bit integer range",
        };
        CompiledNode result = node.Operator switch
        {
            BinaryOperator.Add => new IntegerNode(Binary<Add, ToInteger, int, int>(left, right, math), description),
            BinaryOperator.Subtract => new IntegerNode(Binary<Subtract, ToInteger, int, int>(left, right, math), description),
            BinaryOperator.Multiply => new IntegerNode(Binary<Multiply, ToInteger, int, int>(left, right, math), description),
            BinaryOperator.Divide => new IntegerNode(Binary<Divide, ToInteger, int, int>(left, right, math), description),
            BinaryOperator.Modulo => new IntegerNode(Binary<Modulo, ToInteger, int, int>(left, right, math), description),
            BinaryOperator.Less => new BooleanNode(Binary<Less, ToInteger, int, bool>(left, right, math), description),
            BinaryOperator.LessOrEqual => new BooleanNode(Binary<LessOrEqual, ToInteger, int, bool>(left, right, math), description),
            BinaryOperator.Greater => new BooleanNode(Binary<Greater, ToInteger, int, bool>(left, right, math), description),
            BinaryOperator.GreaterOrEqual => new BooleanNode(Binary<GreaterOrEqual, ToInteger, int, bool>(left, right, math), description),
            _ => new BooleanNode(Equality(left, right, node.Operator == BinaryOperator.NotEqual), description),
        };
        return Fold(result, left, right);
    }

    // '=' and '!=' are ambiguous (Boolean, Integer and String overloads), so the right operand's type picks the
    // overload and the left operand is cast to it (section 3.7); for an extension the pick happens per event.
    private static Eval<bool> Equality(CompiledNode left, CompiledNode right, bool negated) => (right.Type, negated) switch
    {
        (NodeType.Boolean, false) => Binary<EqualBoolean, ToBoolean, bool, bool>(left, right, ""),
        (NodeType.Boolean, true) => Binary<NotEqualBoolean, ToBoolean, bool, bool>(left, right, ""),
        (NodeType.Integer, false) => Binary<EqualInteger, ToInteger, int, bool>(left, right, ""),
        (NodeType.Integer, true) => Binary<NotEqualInteger, ToInteger, int, bool>(left, right, ""),
        (NodeType.String, false) => Binary<EqualString, ToText, string, bool>(left, right, ""),
        (NodeType.String, true) => Binary<NotEqualString, ToText, string, bool>(left, right, ""),
        _ => DynamicEquality(left, right, negated),
    };

    private static Eval<bool> DynamicEquality(CompiledNode left, CompiledNode right, bool negated)
    {
        var l = left.AsValue();
        var r = right.AsValue();
        var asBoolean = left.CastMessage(CesqlType.Boolean);
        var asInteger = left.CastMessage(CesqlType.Integer);
        return (Event e, ref EvalState s) =>
        {
            var a = l(e, ref s);
            if (s.Failed)
            {
                return false;
            }

            var b = r(e, ref s);
            if (s.Failed)
            {
                return false;
            }

            var equal = b.Type switch
            {
                CesqlType.Boolean => CesqlCasts.ToBoolean(a, ref s, asBoolean) == (b.RawNumber != 0),
                CesqlType.Integer => CesqlCasts.ToInteger(a, ref s, asInteger) == b.RawNumber,
                _ => string.Equals(CesqlCasts.ToText(a), b.RawText, StringComparison.Ordinal),
            };
            return !s.Failed && equal != negated;
        };
    }

    /// <summary>
    /// A binary operator whose two parameters have type <typeparamref name="T"/>. Both operands are evaluated
    /// before either is cast; when the left cast cannot fail, or nothing after it can, the cast is fused into the
    /// left operand, and a constant right operand is read once here.
    /// </summary>
    private static Eval<TResult> Binary<TOperator, TCaster, T, TResult>(CompiledNode left, CompiledNode right, string message)
        where TOperator : struct, IBinaryOperator<T, TResult>
        where TCaster : struct, ICaster<T>
    {
        var target = TCaster.Target;
        var rightIsSafeConstant = right is ConstantNode constant && !constant.CastTo(target).HasError;
        if (!left.CastCanFail(target) || rightIsSafeConstant)
        {
            var l = TCaster.Fuse(left);
            if (rightIsSafeConstant)
            {
                var c = TCaster.Read(((ConstantNode)right).CastTo(target));
                return (Event e, ref EvalState s) =>
                {
                    var a = l(e, ref s);
                    return s.Failed ? default! : TOperator.Apply(a, c, ref s, message);
                };
            }

            var r = TCaster.Fuse(right);
            return (Event e, ref EvalState s) =>
            {
                var a = l(e, ref s);
                if (s.Failed)
                {
                    return default!;
                }

                var b = r(e, ref s);
                return s.Failed ? default! : TOperator.Apply(a, b, ref s, message);
            };
        }

        var lv = left.AsValue();
        var leftMessage = left.CastMessage(target);
        if (!right.CastCanFail(target))
        {
            var r = TCaster.Fuse(right);
            return (Event e, ref EvalState s) =>
            {
                var av = lv(e, ref s);
                if (s.Failed)
                {
                    return default!;
                }

                var b = r(e, ref s);
                if (s.Failed)
                {
                    return default!;
                }

                var a = TCaster.Cast(av, ref s, leftMessage);
                return s.Failed ? default! : TOperator.Apply(a, b, ref s, message);
            };
        }

        var rv = right.AsValue();
        var rightMessage = right.CastMessage(target);
        return (Event e, ref EvalState s) =>
        {
            var av = lv(e, ref s);
            if (s.Failed)
            {
                return default!;
            }

            var bv = rv(e, ref s);
            if (s.Failed)
            {
                return default!;
            }

            var a = TCaster.Cast(av, ref s, leftMessage);
            if (s.Failed)
            {
                return default!;
            }

            var b = TCaster.Cast(bv, ref s, rightMessage);
            return s.Failed ? default! : TOperator.Apply(a, b, ref s, message);
        };
    }

    private static CompiledNode CompileLogic(LogicChainNode node)
    {
        var operands = node.Operands.Select(Compile).ToArray();
        var description = $"the result of {node.Operators[0].ToString().ToUpperInvariant()} {At(node.Position)}";

        // Leading constants decide the result or drop out: FALSE AND x is FALSE, TRUE AND x is x, c XOR x flips x.
        var flip = false;
        var first = 0;
        while (first < operands.Length && operands[first] is ConstantNode constant)
        {
            var value = constant.CastTo(CesqlType.Boolean);
            if (value.HasError)
            {
                return new ConstantNode(CesqlValue.FromBoolean(false).WithError(value.Error, value.ErrorMessage), description);
            }

            var v = value.AsBoolean;
            if (first == operands.Length - 1)
            {
                return new ConstantNode(CesqlValue.FromBoolean(flip ^ v), description);
            }

            switch (node.Operators[first])
            {
                case LogicOperator.And when !v:
                    return new ConstantNode(CesqlValue.FromBoolean(flip), description);
                case LogicOperator.Or when v:
                    return new ConstantNode(CesqlValue.FromBoolean(!flip), description);
                case LogicOperator.Xor:
                    flip ^= v;
                    break;
            }

            first++;
        }

        var evals = operands[first..].Select(o => o.AsBoolean()).ToArray();
        var operators = node.Operators[first..];
        if (evals.Length == 1)
        {
            var only = evals[0];
            return flip ? new BooleanNode((Event e, ref EvalState s) => { var v = only(e, ref s); return !s.Failed && !v; }, description) : new BooleanNode(only, description);
        }

        if (!flip && Array.TrueForAll(operators, o => o == LogicOperator.And))
        {
            return new BooleanNode(AllOf(evals), description);
        }

        if (!flip && Array.TrueForAll(operators, o => o == LogicOperator.Or))
        {
            return new BooleanNode(AnyOf(evals), description);
        }

        return new BooleanNode((Event e, ref EvalState s) =>
        {
            // a op (b op (c ...)) evaluated left to right: AND stops at false, OR at true, XOR remembers a flip.
            var result = flip;
            for (var i = 0; ; i++)
            {
                var v = evals[i](e, ref s);
                if (s.Failed)
                {
                    return false;
                }

                if (i == evals.Length - 1)
                {
                    return result ^ v;
                }

                switch (operators[i])
                {
                    case LogicOperator.And when !v:
                        return result;
                    case LogicOperator.Or when v:
                        return !result;
                    case LogicOperator.Xor:
                        result ^= v;
                        break;
                }
            }
        }, description);
    }

    private static Eval<bool> AllOf(Eval<bool>[] evals)
    {
        if (evals.Length == 2)
        {
            var (a, b) = (evals[0], evals[1]);
            return (Event e, ref EvalState s) => a(e, ref s) && !s.Failed && b(e, ref s) && !s.Failed;
        }

        if (evals.Length == 3)
        {
            var (a, b, c) = (evals[0], evals[1], evals[2]);
            return (Event e, ref EvalState s) => a(e, ref s) && !s.Failed && b(e, ref s) && !s.Failed && c(e, ref s) && !s.Failed;
        }

        return (Event e, ref EvalState s) =>
        {
            foreach (var eval in evals)
            {
                if (!eval(e, ref s) || s.Failed)
                {
                    return false;
                }
            }

            return true;
        };
    }

    private static Eval<bool> AnyOf(Eval<bool>[] evals)
    {
        if (evals.Length == 2)
        {
            var (a, b) = (evals[0], evals[1]);
            return (Event e, ref EvalState s) =>
            {
                var v = a(e, ref s);
                if (s.Failed)
                {
                    return false;
                }

                return v || (b(e, ref s) && !s.Failed);
            };
        }

        return (Event e, ref EvalState s) =>
        {
            foreach (var eval in evals)
            {
                var v = eval(e, ref s);
                if (s.Failed)
                {
                    return false;
                }

                if (v)
                {
                    return true;
                }
            }

            return false;
        };
    }

    private static CompiledNode CompileLike(LikeNode node)
    {
        var operand = Compile(node.Operand);
        var text = operand.AsString();
        var pattern = LikePattern.Compile(node.Pattern);
        var negated = node.Negated;
        var result = new BooleanNode((Event e, ref EvalState s) =>
        {
            var v = text(e, ref s);
            return !s.Failed && pattern.IsMatch(v) != negated;
        }, $"the result of {(negated ? "NOT LIKE" : "LIKE")} {At(node.Position)}");
        return Fold(result, operand);
    }

    // IN is the '=' of the left operand against each element in turn, with the left operand's type as the
    // target of every cast (section 3.7); it stops at the first match, like the OR chain it abbreviates.
    private static CompiledNode CompileIn(InNode node)
    {
        var operand = Compile(node.Operand);
        var set = node.Set.Select(Compile).ToArray();
        var description = $"the result of {(node.Negated ? "NOT IN" : "IN")} {At(node.Position)}";
        var eval = operand.Type switch
        {
            NodeType.Boolean => In<ToBoolean, bool>(operand.AsBoolean(), set, node.Negated),
            NodeType.Integer => In<ToInteger, int>(operand.AsInteger(), set, node.Negated),
            NodeType.String => In<ToText, string>(operand.AsString(), set, node.Negated),
            _ => DynamicIn(operand.AsValue(), set, node.Negated),
        };
        return Fold(new BooleanNode(eval, description), [operand, .. set]);
    }

    private static Eval<bool> In<TCaster, T>(Eval<T> operand, CompiledNode[] set, bool negated)
        where TCaster : struct, ICaster<T>
    {
        var matcher = SetMatcher<TCaster, T>.Create(set);
        return (Event e, ref EvalState s) =>
        {
            var v = operand(e, ref s);
            if (s.Failed)
            {
                return false;
            }

            var found = matcher.Contains(v, e, ref s);
            return !s.Failed && found != negated;
        };
    }

    private static Eval<bool> DynamicIn(Eval<CesqlValue> operand, CompiledNode[] set, bool negated)
    {
        var booleans = SetMatcher<ToBoolean, bool>.Create(set);
        var integers = SetMatcher<ToInteger, int>.Create(set);
        var strings = SetMatcher<ToText, string>.Create(set);
        return (Event e, ref EvalState s) =>
        {
            var v = operand(e, ref s);
            if (s.Failed)
            {
                return false;
            }

            var found = v.Type switch
            {
                CesqlType.Boolean => booleans.Contains(v.RawNumber != 0, e, ref s),
                CesqlType.Integer => integers.Contains(v.RawNumber, e, ref s),
                _ => strings.Contains(v.RawText, e, ref s),
            };
            return !s.Failed && found != negated;
        };
    }

    /// <summary>The elements of an IN set cast to one type: a precomputed array (or hash set, when large) if they are all error-free constants.</summary>
    private sealed class SetMatcher<TCaster, T>
        where TCaster : struct, ICaster<T>
    {
        private const int HashThreshold = 8;
        private readonly Eval<T>[]? _elements;
        private readonly T[]? _constants;
        private readonly HashSet<T>? _hashed;

        private SetMatcher(Eval<T>[]? elements, T[]? constants)
        {
            _elements = elements;
            _constants = constants;
            if (constants is { Length: > HashThreshold })
            {
                _hashed = new HashSet<T>(constants, typeof(T) == typeof(string) ? (IEqualityComparer<T>)StringComparer.Ordinal : EqualityComparer<T>.Default);
            }
        }

        public static SetMatcher<TCaster, T> Create(CompiledNode[] set)
        {
            if (Array.TrueForAll(set, n => n is ConstantNode c && !c.CastTo(TCaster.Target).HasError))
            {
                return new SetMatcher<TCaster, T>(null, [.. set.Select(n => TCaster.Read(((ConstantNode)n).CastTo(TCaster.Target)))]);
            }

            return new SetMatcher<TCaster, T>([.. set.Select(TCaster.Fuse)], null);
        }

        public bool Contains(T value, Event e, ref EvalState state)
        {
            if (_hashed is not null)
            {
                return _hashed.Contains(value);
            }

            if (_constants is not null)
            {
                foreach (var c in _constants)
                {
                    if (Equal(value, c))
                    {
                        return true;
                    }
                }

                return false;
            }

            foreach (var element in _elements!)
            {
                var c = element(e, ref state);
                if (state.Failed)
                {
                    return false;
                }

                if (Equal(value, c))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Equal(T a, T b) => typeof(T) == typeof(string)
            ? string.Equals((string)(object)a!, (string)(object)b!, StringComparison.Ordinal)
            : EqualityComparer<T>.Default.Equals(a, b);
    }
}
