namespace Vanus.Operators.Sql;

/// <summary>A node of the parsed expression; <see cref="Position"/> is the character offset of its operator or first token.</summary>
internal abstract record CesqlNode(int Position)
{
    /// <summary>The height of the tree under this node, bounded so that compiling and evaluating cannot exhaust the stack.</summary>
    public abstract int Depth { get; }
}

internal sealed record LiteralNode(CesqlValue Value, int Position) : CesqlNode(Position)
{
    public override int Depth => 1;
}

/// <summary>An attribute reference; <see cref="Name"/> is lower-cased, as CloudEvents attribute names are.</summary>
internal sealed record IdentifierNode(string Name, int Position) : CesqlNode(Position)
{
    public override int Depth => 1;
}

internal sealed record ExistsNode(string Name, int Position) : CesqlNode(Position)
{
    public override int Depth => 1;
}

internal enum UnaryOperator : byte
{
    Not,
    Negate,
}

internal sealed record UnaryNode(UnaryOperator Operator, CesqlNode Operand, int Position) : CesqlNode(Position)
{
    public override int Depth { get; } = Operand.Depth + 1;
}

internal enum BinaryOperator : byte
{
    Multiply,
    Divide,
    Modulo,
    Add,
    Subtract,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

internal sealed record BinaryNode(BinaryOperator Operator, string Symbol, CesqlNode Left, CesqlNode Right, int Position) : CesqlNode(Position)
{
    public override int Depth { get; } = Math.Max(Left.Depth, Right.Depth) + 1;
}

internal enum LogicOperator : byte
{
    And,
    Or,
    Xor,
}

/// <summary>
/// <c>a op1 b op2 c ...</c> with AND, OR and XOR: one precedence level, right-associative as CESQLParser.g4 says
/// (<c>a op1 (b op2 c)</c>). Kept flat so that long filters neither recurse deeply nor nest delegates.
/// </summary>
internal sealed record LogicChainNode(CesqlNode[] Operands, LogicOperator[] Operators, int[] OperatorPositions) : CesqlNode(OperatorPositions[0])
{
    public override int Depth { get; } = Operands.Max(o => o.Depth) + 1;
}

internal sealed record LikeNode(CesqlNode Operand, string Pattern, bool Negated, int Position) : CesqlNode(Position)
{
    public override int Depth { get; } = Operand.Depth + 1;
}

internal sealed record InNode(CesqlNode Operand, CesqlNode[] Set, bool Negated, int Position) : CesqlNode(Position)
{
    public override int Depth { get; } = Math.Max(Operand.Depth, Set.Max(s => s.Depth)) + 1;
}

/// <summary>A function invocation; <see cref="Name"/> is upper-cased (function names are case-insensitive).</summary>
internal sealed record CallNode(string Name, CesqlNode[] Arguments, int Position) : CesqlNode(Position)
{
    public override int Depth { get; } = (Arguments.Length == 0 ? 0 : Arguments.Max(a => a.Depth)) + 1;
}
