using System.Globalization;

namespace Vanus.Operators.Sql;

/// <summary>
/// The result of evaluating a CESQL expression: a Boolean, Integer or String value together with the error the
/// evaluation raised, if any. Booleans and integers are held without boxing; <c>default</c> is Boolean <c>false</c>.
/// </summary>
public readonly struct CesqlValue : IEquatable<CesqlValue>
{
    // Booleans and integers live in _number; strings in _text. The error travels with the value, as the spec's
    // evaluation result does (section 3.3): a value of the result type and, possibly, the error that produced it.
    private readonly string? _text;
    private readonly string? _errorMessage;
    private readonly int _number;

    private CesqlValue(CesqlType type, int number, string? text, CesqlErrorKind error, string? errorMessage)
    {
        (Type, _number, _text, Error, _errorMessage) = (type, number, text, error, errorMessage);
    }

    /// <summary>The CESQL type of the value.</summary>
    public CesqlType Type { get; }

    /// <summary>The error the evaluation raised, or <see cref="CesqlErrorKind.None"/>.</summary>
    public CesqlErrorKind Error { get; }

    /// <summary>True when the evaluation raised an error (the value is then the one the spec defines for that error, usually the zero value).</summary>
    public bool HasError => Error != CesqlErrorKind.None;

    /// <summary>What went wrong and where in the expression, or null when there is no error.</summary>
    public string? ErrorMessage => _errorMessage;

    /// <summary>The Boolean value; throws when the value is not a Boolean.</summary>
    public bool AsBoolean => Type == CesqlType.Boolean ? _number != 0 : throw WrongType(CesqlType.Boolean);

    /// <summary>The Integer value; throws when the value is not an Integer.</summary>
    public int AsInteger => Type == CesqlType.Integer ? _number : throw WrongType(CesqlType.Integer);

    /// <summary>The String value; throws when the value is not a String.</summary>
    public string AsString => Type == CesqlType.String ? _text ?? "" : throw WrongType(CesqlType.String);

    /// <summary>True only for a Boolean <c>true</c> without an error: the outcome of a CESQL filter.</summary>
    public bool IsTrue => Type == CesqlType.Boolean && _number != 0 && Error == CesqlErrorKind.None;

    /// <summary>Creates a Boolean value without an error.</summary>
    public static CesqlValue FromBoolean(bool value) => new(CesqlType.Boolean, value ? 1 : 0, null, CesqlErrorKind.None, null);

    /// <summary>Creates an Integer value without an error.</summary>
    public static CesqlValue FromInteger(int value) => new(CesqlType.Integer, value, null, CesqlErrorKind.None, null);

    /// <summary>Creates a String value without an error.</summary>
    public static CesqlValue FromString(string value) =>
        new(CesqlType.String, 0, value ?? throw new ArgumentNullException(nameof(value)), CesqlErrorKind.None, null);

    /// <summary>The zero value of a type: <c>false</c>, <c>0</c> or <c>""</c>.</summary>
    public static CesqlValue Zero(CesqlType type) => type switch
    {
        CesqlType.Integer => FromInteger(0),
        CesqlType.String => FromString(""),
        _ => default,
    };

    /// <summary>The value as CESQL literal text (<c>TRUE</c>, <c>42</c>, <c>'it\'s'</c>), followed by the error when there is one.</summary>
    public override string ToString()
    {
        var text = Type switch
        {
            CesqlType.Boolean => _number != 0 ? "TRUE" : "FALSE",
            CesqlType.Integer => _number.ToString(CultureInfo.InvariantCulture),
            _ => "'" + (_text ?? "").Replace("'", "\\'", StringComparison.Ordinal) + "'",
        };
        return Error == CesqlErrorKind.None ? text : $"{text} ({Error} error: {_errorMessage})";
    }

    /// <summary>Equal when type, value and error kind are equal (the error message is not compared).</summary>
    public bool Equals(CesqlValue other) =>
        Type == other.Type && Error == other.Error && _number == other._number
        && string.Equals(Type == CesqlType.String ? _text ?? "" : null, other.Type == CesqlType.String ? other._text ?? "" : null, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CesqlValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Error, _number, Type == CesqlType.String ? _text ?? "" : null);

    /// <summary>Compares type, value and error kind.</summary>
    public static bool operator ==(CesqlValue left, CesqlValue right) => left.Equals(right);

    /// <summary>Compares type, value and error kind.</summary>
    public static bool operator !=(CesqlValue left, CesqlValue right) => !left.Equals(right);

    internal int RawNumber => _number;

    internal string RawText => _text ?? "";

    internal CesqlValue WithError(CesqlErrorKind error, string? message) => new(Type, _number, _text, error, message);

    private InvalidOperationException WrongType(CesqlType wanted) => new($"The CESQL value is {Type}, not {wanted}.");
}
