using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>The static type of a compiled node: one of the CESQL types, or <see cref="Dynamic"/> for an extension attribute, whose type is the event's.</summary>
internal enum NodeType : byte
{
    Boolean = CesqlType.Boolean,
    Integer = CesqlType.Integer,
    String = CesqlType.String,
    Dynamic,
}

/// <summary>
/// A compiled (sub)expression. It hands out delegates that evaluate it already cast to the type its consumer
/// needs, so an operator never boxes, and a cast that cannot fail costs nothing at run time.
/// </summary>
internal abstract class CompiledNode(NodeType type, string description)
{
    public NodeType Type { get; } = type;

    /// <summary>What the node is and where, for error messages: <c>attribute 'amount' at position 12</c>.</summary>
    public string Description { get; } = description;

    public virtual bool IsConstant => false;

    public abstract Eval<bool> AsBoolean();

    public abstract Eval<int> AsInteger();

    public abstract Eval<string> AsString();

    public abstract Eval<CesqlValue> AsValue();

    /// <summary>True when casting this node's value to <paramref name="target"/> can raise an error at run time.</summary>
    public virtual bool CastCanFail(CesqlType target) => Type is NodeType.String or NodeType.Dynamic && target != CesqlType.String;

    public string CastMessage(CesqlType target) => $"{Description} cannot be cast to {target}";
}

/// <summary>A value known when compiling: a literal, or a subexpression folded because all its inputs are literals. It may carry an error.</summary>
internal sealed class ConstantNode(CesqlValue value, string description) : CompiledNode((NodeType)value.Type, description)
{
    public CesqlValue Value { get; } = value;

    public override bool IsConstant => true;

    /// <summary>The value cast to <paramref name="target"/>, with the error the value carries or the cast raises.</summary>
    public CesqlValue CastTo(CesqlType target)
    {
        if (Value.HasError || (CesqlType)Type == target)
        {
            return Value.HasError ? CesqlValue.Zero(target).WithError(Value.Error, Value.ErrorMessage) : Value;
        }

        var state = default(EvalState);
        var cast = target switch
        {
            CesqlType.Boolean => CesqlValue.FromBoolean(CesqlCasts.ToBoolean(Value, ref state, CastMessage(target))),
            CesqlType.Integer => CesqlValue.FromInteger(CesqlCasts.ToInteger(Value, ref state, CastMessage(target))),
            _ => CesqlValue.FromString(CesqlCasts.ToText(Value)),
        };
        return state.Failed ? cast.WithError(state.Kind, state.Message) : cast;
    }

    public override bool CastCanFail(CesqlType target) => CastTo(target).HasError;

    public override Eval<bool> AsBoolean() => Make(CastTo(CesqlType.Boolean), static v => v.AsBoolean);

    public override Eval<int> AsInteger() => Make(CastTo(CesqlType.Integer), static v => v.AsInteger);

    public override Eval<string> AsString() => Make(CastTo(CesqlType.String), static v => v.AsString);

    public override Eval<CesqlValue> AsValue()
    {
        var value = Value;
        return Make(value, v => v);
    }

    private static Eval<T> Make<T>(CesqlValue value, Func<CesqlValue, T> read)
    {
        var result = read(value);
        if (!value.HasError)
        {
            return (Event e, ref EvalState s) => result;
        }

        var kind = value.Error;
        var message = value.ErrorMessage ?? kind.ToString();
        return (Event e, ref EvalState s) =>
        {
            s.Fail(kind, message);
            return result;
        };
    }
}

/// <summary>A node computed at run time whose type is Boolean.</summary>
internal sealed class BooleanNode(Eval<bool> eval, string description) : CompiledNode(NodeType.Boolean, description)
{
    public override Eval<bool> AsBoolean() => eval;

    public override Eval<int> AsInteger()
    {
        var f = eval;
        return (Event e, ref EvalState s) => f(e, ref s) ? 1 : 0;
    }

    public override Eval<string> AsString()
    {
        var f = eval;
        return (Event e, ref EvalState s) => CesqlCasts.ToText(f(e, ref s));
    }

    public override Eval<CesqlValue> AsValue()
    {
        var f = eval;
        return (Event e, ref EvalState s) => CesqlValue.FromBoolean(f(e, ref s));
    }
}

/// <summary>A node computed at run time whose type is Integer.</summary>
internal sealed class IntegerNode(Eval<int> eval, string description) : CompiledNode(NodeType.Integer, description)
{
    public override Eval<bool> AsBoolean()
    {
        var f = eval;
        return (Event e, ref EvalState s) => f(e, ref s) != 0;
    }

    public override Eval<int> AsInteger() => eval;

    public override Eval<string> AsString()
    {
        var f = eval;
        return (Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            return s.Failed ? "" : CesqlCasts.ToText(v);
        };
    }

    public override Eval<CesqlValue> AsValue()
    {
        var f = eval;
        return (Event e, ref EvalState s) => CesqlValue.FromInteger(f(e, ref s));
    }
}

/// <summary>
/// A node computed at run time whose type is String. An optional attribute (subject, time, ...) is one too, but
/// typed <see cref="NodeType.Dynamic"/>: when the event lacks it, its own value is the spec's untyped
/// <c>false</c> (section 3.2), while every operator still reads it as a String.
/// </summary>
internal sealed class StringNode(Eval<string> eval, string description, bool optionalAttribute = false)
    : CompiledNode(optionalAttribute ? NodeType.Dynamic : NodeType.String, description)
{
    public override Eval<bool> AsBoolean()
    {
        var f = eval;
        var message = CastMessage(CesqlType.Boolean);
        return (Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            return !s.Failed && CesqlCasts.ToBoolean(v, ref s, message);
        };
    }

    public override Eval<int> AsInteger()
    {
        var f = eval;
        var message = CastMessage(CesqlType.Integer);
        return (Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            return s.Failed ? 0 : CesqlCasts.ToInteger(v, ref s, message);
        };
    }

    public override Eval<string> AsString() => eval;

    public override Eval<CesqlValue> AsValue()
    {
        var f = eval;
        return (Event e, ref EvalState s) =>
        {
            var v = f(e, ref s);
            return s.Failed && Type == NodeType.Dynamic ? default : CesqlValue.FromString(v ?? "");
        };
    }
}

/// <summary>
/// An extension attribute: its type is whatever the event carries (Integer and Boolean extensions keep their type,
/// the rest read as String). Each typed view reads the extension and casts in one step, without boxing.
/// </summary>
internal sealed class ExtensionNode(string name, string description) : CompiledNode(NodeType.Dynamic, description)
{
    private readonly string _missing = $"{description} is not in the event";

    public override Eval<bool> AsBoolean()
    {
        var (key, missing, message) = (name, _missing, CastMessage(CesqlType.Boolean));
        return (Event e, ref EvalState s) =>
        {
            if (!e.Extensions.TryGet(key, out var v))
            {
                s.Fail(CesqlErrorKind.MissingAttribute, missing);
                return false;
            }

            return v.Kind == AttributeKind.Boolean ? v.AsBoolean : CesqlAttributes.ToBoolean(in v, ref s, message);
        };
    }

    public override Eval<int> AsInteger()
    {
        var (key, missing, message) = (name, _missing, CastMessage(CesqlType.Integer));
        return (Event e, ref EvalState s) =>
        {
            if (!e.Extensions.TryGet(key, out var v))
            {
                s.Fail(CesqlErrorKind.MissingAttribute, missing);
                return 0;
            }

            return v.Kind == AttributeKind.Integer ? v.AsInteger : CesqlAttributes.ToInteger(in v, ref s, message);
        };
    }

    public override Eval<string> AsString()
    {
        var (key, missing) = (name, _missing);
        return (Event e, ref EvalState s) =>
        {
            if (!e.Extensions.TryGet(key, out var v))
            {
                s.Fail(CesqlErrorKind.MissingAttribute, missing);
                return "";
            }

            return CesqlAttributes.ToText(in v);
        };
    }

    public override Eval<CesqlValue> AsValue()
    {
        var (key, missing) = (name, _missing);
        return (Event e, ref EvalState s) =>
        {
            if (!e.Extensions.TryGet(key, out var v))
            {
                // The type of a missing attribute cannot be known, so the spec has it read as Boolean false.
                s.Fail(CesqlErrorKind.MissingAttribute, missing);
                return default;
            }

            return CesqlAttributes.ToValue(in v);
        };
    }
}
