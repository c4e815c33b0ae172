using System.Diagnostics.CodeAnalysis;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>
/// A CloudEvents SQL 1.0 expression, parsed, type-checked and compiled to delegates once; evaluating it never
/// re-reads the text or the tree, and a Boolean expression over Integer and String attributes allocates nothing.
/// Instances are immutable and safe to share between threads.
/// </summary>
public sealed class CesqlExpression
{
    private readonly NodeType _type;
    private readonly Eval<bool> _predicate;
    private readonly Eval<CesqlValue> _value;

    private CesqlExpression(string text, CompiledNode root)
    {
        Text = text;
        _type = root.Type;
        _value = root.AsValue();
        _predicate = root.Type switch
        {
            NodeType.Boolean => root.AsBoolean(),
            NodeType.Dynamic => DynamicPredicate(_value),
            // Spec section 1.2: a filter passes only on a Boolean result, so an Integer or String expression never does.
            _ => static (Event e, ref EvalState s) => false,
        };
    }

    /// <summary>The expression text as given.</summary>
    public string Text { get; }

    /// <summary>The type every evaluation returns, or null when it depends on the event (a bare extension attribute).</summary>
    public CesqlType? ResultType => _type == NodeType.Dynamic ? null : (CesqlType)_type;

    /// <summary>Parses and compiles <paramref name="text"/>, or throws <see cref="CesqlParseException"/> naming the position and what was expected there.</summary>
    public static CesqlExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new CesqlExpression(text, CesqlCompiler.Compile(CesqlParser.Parse(text)));
    }

    /// <summary>Parses and compiles <paramref name="text"/>; on failure returns false with the parse error instead of throwing.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out CesqlExpression? expression, [NotNullWhen(false)] out CesqlParseException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            expression = Parse(text);
            error = null;
            return true;
        }
        catch (CesqlParseException e)
        {
            expression = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Evaluates the expression against an event: the value and, if one was raised, the first error. Evaluation is
    /// fail-fast (spec section 4.1): after an error every enclosing operator yields its type's zero value.
    /// </summary>
    public CesqlValue Evaluate(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var state = default(EvalState);
        var value = _value(e, ref state);
        return state.Failed ? value.WithError(state.Kind, state.Message) : value;
    }

    /// <summary>True only when the expression evaluates to Boolean <c>true</c> without an error: the CESQL filter rule (spec section 1.2).</summary>
    public bool Matches(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var state = default(EvalState);
        var result = _predicate(e, ref state);
        return result && !state.Failed;
    }

    /// <summary>The expression text.</summary>
    public override string ToString() => Text;

    private static Eval<bool> DynamicPredicate(Eval<CesqlValue> value) => (Event e, ref EvalState s) =>
    {
        var v = value(e, ref s);
        return v.Type == CesqlType.Boolean && v.RawNumber != 0;
    };
}
