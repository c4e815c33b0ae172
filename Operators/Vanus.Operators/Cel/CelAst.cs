namespace Vanus.Operators.Cel;

/// <summary>A node of a parsed CEL expression. Operators are calls to CEL's operator functions (<c>_+_</c>, <c>_[_]</c>, <c>@in</c>...).</summary>
internal abstract class CelNode(int offset)
{
    /// <summary>Where the node starts in the source text (for error messages).</summary>
    public int Offset { get; } = offset;

    /// <summary>The static type the checker found; dynamic when the expression was not checked.</summary>
    public CelType Type { get; set; } = CelType.Dyn;
}

internal sealed class LiteralNode(int offset, CelValue value) : CelNode(offset)
{
    public CelValue Value { get; } = value;
}

/// <summary>An identifier; <see cref="Name"/> starts with a dot for a root-scoped name (<c>.a</c>).</summary>
internal sealed class IdentNode(int offset, string name) : CelNode(offset)
{
    public string Name { get; } = name;

    /// <summary>The declaration the checker resolved the name to, if any.</summary>
    public CelVariable? Variable { get; set; }

    /// <summary>The comprehension variable slot the name refers to, or -1.</summary>
    public int Slot { get; set; } = -1;
}

/// <summary>Field selection <c>e.f</c>, or the <c>has(e.f)</c> test when <see cref="TestOnly"/>.</summary>
internal sealed class SelectNode(int offset, CelNode operand, string field, bool testOnly) : CelNode(offset)
{
    public CelNode Operand { get; } = operand;

    public string Field { get; } = field;

    public bool TestOnly { get; } = testOnly;

    /// <summary>Set when the whole dotted name resolves to a declaration (<c>google.protobuf.Timestamp</c>, a qualified variable).</summary>
    public CelVariable? Variable { get; set; }
}

/// <summary>A function or operator call, global (<c>size(x)</c>) or receiver style (<c>x.size()</c>).</summary>
internal sealed class CallNode(int offset, string function, CelNode? target, CelNode[] args) : CelNode(offset)
{
    public string Function { get; } = function;

    public CelNode? Target { get; } = target;

    public CelNode[] Args { get; } = args;
}

internal sealed class ListNode(int offset, CelNode[] elements) : CelNode(offset)
{
    public CelNode[] Elements { get; } = elements;
}

internal sealed class MapNode(int offset, CelNode[] keys, CelNode[] values) : CelNode(offset)
{
    public CelNode[] Keys { get; } = keys;

    public CelNode[] Values { get; } = values;
}

/// <summary>A message construction <c>M{f: e}</c>: parsed so the error can say what it is, rejected because this runtime has no protobuf messages.</summary>
internal sealed class MessageNode(int offset, string typeName) : CelNode(offset)
{
    public string TypeName { get; } = typeName;

    /// <summary>The declaration the checker resolved the variable to.</summary>
    public CelVariable? Variable { get; set; }
}

internal enum MacroKind : byte
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

/// <summary>An expanded macro over a list (elements) or map (keys): <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>.</summary>
internal sealed class ComprehensionNode(int offset, MacroKind kind, CelNode range, string variable, CelNode step, CelNode? transform) : CelNode(offset)
{
    public MacroKind Kind { get; } = kind;

    public CelNode Range { get; } = range;

    public string Variable { get; } = variable;

    /// <summary>The predicate (all, exists, exists_one, filter, the filter of three-argument map) or the transform of two-argument map.</summary>
    public CelNode Step { get; } = step;

    /// <summary>The transform of three-argument <c>map(x, p, t)</c>.</summary>
    public CelNode? Transform { get; } = transform;

    /// <summary>The frame slot that holds the iteration variable.</summary>
    public int Slot { get; set; } = -1;
}

/// <summary>
/// A Vanus data variable <c>$path.(type)</c>: the JSON value at <c>path</c> in the event's data, converted to
/// string, int64, uint64, bool or double as Vanus does.
/// </summary>
internal sealed class DataVariableNode(int offset, string text, string path, string typeName) : CelNode(offset)
{
    /// <summary>The variable as written, for messages.</summary>
    public string Text { get; } = text;

    public string Path { get; } = path;

    public string TypeName { get; } = typeName;

    /// <summary>The declaration the checker resolved the variable to.</summary>
    public CelVariable? Variable { get; set; }
}
