namespace Vanus.Operators.Sql;

/// <summary>Thrown when CESQL text does not parse: says at which character position, what was expected there and what was found.</summary>
public sealed class CesqlParseException : FormatException
{
    internal CesqlParseException(string expression, int position, string expected, string found)
        : base($"CESQL parse error at position {position} (column {position + 1}): expected {expected} but found {found}, in: {expression}")
    {
        (Expression, Position, Expected, Found) = (expression, position, expected, found);
    }

    /// <summary>The expression text that failed to parse.</summary>
    public string Expression { get; }

    /// <summary>The zero-based character offset in <see cref="Expression"/> where parsing failed.</summary>
    public int Position { get; }

    /// <summary>What the parser expected at <see cref="Position"/>, for example <c>')'</c> or <c>a string literal (the LIKE pattern)</c>.</summary>
    public string Expected { get; }

    /// <summary>What the parser found at <see cref="Position"/>, for example <c>end of input</c> or <c>'#'</c>.</summary>
    public string Found { get; }

    /// <summary>Always <see cref="CesqlErrorKind.Parse"/>: the error kind a parse failure stands for.</summary>
#pragma warning disable CA1822 // read like the error kind of an evaluation result
    public CesqlErrorKind Kind => CesqlErrorKind.Parse;
#pragma warning restore CA1822
}
