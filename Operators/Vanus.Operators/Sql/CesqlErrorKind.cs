namespace Vanus.Operators.Sql;

/// <summary>The error kinds of CloudEvents SQL 1.0 (section 3.3); <see cref="None"/> when an evaluation raised no error.</summary>
public enum CesqlErrorKind : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The expression text is not valid CESQL (raised by <see cref="CesqlExpression.Parse(string)"/>, never by evaluation).</summary>
    Parse,

    /// <summary>A mathematical operation failed: division or remainder by zero, or a result outside the 32-bit integer range.</summary>
    Math,

    /// <summary>An implicit or explicit cast failed, for example <c>'abc'</c> to Integer.</summary>
    Cast,

    /// <summary>A function was called that no built-in defines with that name and number of arguments.</summary>
    MissingFunction,

    /// <summary>A function was called with arguments it is not defined for, for example a negative length.</summary>
    FunctionEvaluation,

    /// <summary>The expression addressed an attribute the event does not carry.</summary>
    MissingAttribute,

    /// <summary>An error that fits none of the other kinds; no built-in operator or function raises it.</summary>
    Generic,
}
