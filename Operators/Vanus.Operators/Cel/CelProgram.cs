using Vanus.Runtime.Events;

namespace Vanus.Operators.Cel;

/// <summary>A parsed, checked and compiled CEL expression over a set of declarations, ready to evaluate many times.</summary>
internal sealed class CelProgram
{
    private readonly CelEval _eval;
    private readonly int _slots;

    private CelProgram(string source, CelType type, CelEval eval, int slots)
    {
        (Source, Type, _eval, _slots) = (source, type, eval, slots);
    }

    public string Source { get; }

    /// <summary>The static type of the result (dyn when unchecked or undecidable).</summary>
    public CelType Type { get; }

    /// <summary>Parses, checks (when <paramref name="check"/>) and compiles; throws <see cref="CelParseException"/> saying where and why.</summary>
    public static CelProgram Compile(string source, ICelDeclarations declarations, bool check = true)
    {
        var root = CelParser.Parse(source);
        var checker = new CelChecker(source, declarations, check);
        var type = checker.Check(root);
        var eval = new CelCompiler(source, check).Compile(root);
        return new CelProgram(source, type, eval, checker.SlotCount);
    }

    public CelValue Evaluate(Event? e)
    {
        var frame = new CelFrame { Event = e, Locals = _slots == 0 ? null : new CelValue[_slots] };
        return _eval(ref frame);
    }
}
