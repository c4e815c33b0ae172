using Vanus.Runtime.Events;

namespace Vanus.Operators.Cel;

/// <summary>
/// A compiled CEL (Common Expression Language) filter over a CloudEvent, as Vanus's <c>cel</c> dialect has it: the
/// event's attributes by name (<c>type == 'order.created'</c>) and data variables <c>$path.(type)</c> read from JSON data
/// (<c>$order.amount.(int64) &gt; 100</c>, types string, int64, uint64, bool, double). Parsed and type-checked once;
/// evaluation per event walks precompiled delegates.
/// </summary>
public sealed class CelExpression
{
    private readonly CelProgram _program;

    private CelExpression(CelProgram program) => _program = program;

    /// <summary>The expression as written.</summary>
    public string Expression => _program.Source;

    /// <summary>Parses, type-checks and compiles an expression that must yield a bool; throws <see cref="CelParseException"/> with the position and the reason otherwise.</summary>
    public static CelExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var program = CelProgram.Compile(expression, EventDeclarations.Instance);
        if (program.Type.Kind is not (CelKind.Bool or CelKind.Error))
        {
            throw CelParseException.At(expression, 0, $"a filter expression must yield a bool, but this one yields {program.Type}");
        }

        return new CelExpression(program);
    }

    /// <summary>True only when the expression evaluates to the boolean true; a runtime error (a missing attribute, no JSON data, an overflow) is false.</summary>
    public bool Matches(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return _program.Evaluate(e).IsTrue;
    }

    /// <summary>Evaluates and describes the result: <c>true</c>, <c>false</c>, another value, or the runtime error.</summary>
    public string Explain(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return _program.Evaluate(e).ToString();
    }

    /// <summary>The expression text.</summary>
    public override string ToString() => Expression;
}
