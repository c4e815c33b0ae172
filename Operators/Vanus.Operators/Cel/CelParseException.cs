namespace Vanus.Operators.Cel;

/// <summary>Thrown when a CEL expression does not parse or does not type-check; says where (line and column) and what is wrong.</summary>
public sealed class CelParseException : Exception
{
    private CelParseException(string expression, int position, int line, int column, string reason)
        : base($"Invalid CEL expression at line {line}, column {column}: {reason}")
    {
        (Expression, Position, Line, Column, Reason) = (expression, position, line, column, reason);
    }

    /// <summary>The expression as it was given.</summary>
    public string Expression { get; }

    /// <summary>The zero-based character offset of the fault in <see cref="Expression"/>.</summary>
    public int Position { get; }

    /// <summary>The one-based line of the fault.</summary>
    public int Line { get; }

    /// <summary>The one-based column of the fault.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    internal static CelParseException At(string expression, int offset, string reason)
    {
        offset = Math.Clamp(offset, 0, expression.Length);
        var line = 1;
        var column = 1;
        for (var i = 0; i < offset; i++)
        {
            if (expression[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new CelParseException(expression, offset, line, column, reason);
    }
}
