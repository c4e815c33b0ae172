using System.Globalization;

namespace Vanus.Runtime.Events;

/// <summary>A typed CloudEvents attribute value that holds integers, booleans and timestamps without boxing.</summary>
public readonly struct AttributeValue : IEquatable<AttributeValue>
{
    // Integers, booleans and timestamps (UTC ticks) live in _number; strings, URIs and binary in _ref.
    private readonly object? _ref;
    private readonly long _number;

    private AttributeValue(AttributeKind kind, long number, object? reference)
    {
        Kind = kind;
        _number = number;
        _ref = reference;
    }

    /// <summary>The CloudEvents type of this value.</summary>
    public AttributeKind Kind { get; }

    /// <summary>Creates a String value.</summary>
    public static AttributeValue FromString(string value) => new(AttributeKind.String, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates an Integer value.</summary>
    public static AttributeValue FromInteger(int value) => new(AttributeKind.Integer, value, null);

    /// <summary>Creates a Boolean value.</summary>
    public static AttributeValue FromBoolean(bool value) => new(AttributeKind.Boolean, value ? 1 : 0, null);

    /// <summary>Creates a Binary value; the array is owned by the value from then on.</summary>
    public static AttributeValue FromBinary(byte[] value) => new(AttributeKind.Binary, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a URI value from its text, which must be an absolute URI.</summary>
    public static AttributeValue FromUri(string value) => new(AttributeKind.Uri, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a URI-reference value from its text.</summary>
    public static AttributeValue FromUriReference(string value) => new(AttributeKind.UriReference, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a Timestamp value (kept as a UTC instant).</summary>
    public static AttributeValue FromTimestamp(DateTimeOffset value) => new(AttributeKind.Timestamp, value.UtcTicks, null);

    /// <summary>The Integer value; throws if this is not an Integer.</summary>
    public int AsInteger => Kind == AttributeKind.Integer ? (int)_number : throw WrongKind(AttributeKind.Integer);

    /// <summary>The Boolean value; throws if this is not a Boolean.</summary>
    public bool AsBoolean => Kind == AttributeKind.Boolean ? _number != 0 : throw WrongKind(AttributeKind.Boolean);

    /// <summary>The Timestamp value in UTC; throws if this is not a Timestamp.</summary>
    public DateTimeOffset AsTimestamp => Kind == AttributeKind.Timestamp ? new DateTimeOffset(_number, TimeSpan.Zero) : throw WrongKind(AttributeKind.Timestamp);

    /// <summary>The Binary value; throws if this is not Binary.</summary>
    public ReadOnlyMemory<byte> AsBinary => Kind == AttributeKind.Binary ? (byte[])_ref! : throw WrongKind(AttributeKind.Binary);

    /// <summary>The text of a String, URI or URI-reference value without conversion; null for the other kinds.</summary>
    public string? AsText => _ref as string;

    /// <summary>The value in its canonical CloudEvents string form (as HTTP headers carry it).</summary>
    public override string ToString() => Kind switch
    {
        AttributeKind.Integer => ((int)_number).ToString(CultureInfo.InvariantCulture),
        AttributeKind.Boolean => _number != 0 ? "true" : "false",
        AttributeKind.Binary => Convert.ToBase64String((byte[])_ref!),
        AttributeKind.Timestamp => Rfc3339.Format(new DateTimeOffset(_number, TimeSpan.Zero)),
        _ => (string)_ref!,
    };

    /// <inheritdoc />
    public bool Equals(AttributeValue other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            AttributeKind.Integer or AttributeKind.Boolean or AttributeKind.Timestamp => _number == other._number,
            AttributeKind.Binary => ((byte[])_ref!).AsSpan().SequenceEqual((byte[])other._ref!),
            _ => string.Equals((string?)_ref, (string?)other._ref, StringComparison.Ordinal),
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AttributeValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Kind switch
    {
        AttributeKind.Integer or AttributeKind.Boolean or AttributeKind.Timestamp => HashCode.Combine(Kind, _number),
        AttributeKind.Binary => HashCode.Combine(Kind, ((byte[])_ref!).Length),
        _ => HashCode.Combine(Kind, (string?)_ref),
    };

    /// <summary>Compares two values by kind and content.</summary>
    public static bool operator ==(AttributeValue left, AttributeValue right) => left.Equals(right);

    /// <summary>Compares two values by kind and content.</summary>
    public static bool operator !=(AttributeValue left, AttributeValue right) => !left.Equals(right);

    internal long RawNumber => _number;

    internal object? RawReference => _ref;

    internal static AttributeValue FromRaw(AttributeKind kind, long number, object? reference) => new(kind, number, reference);

    private InvalidOperationException WrongKind(AttributeKind wanted) =>
        new($"The attribute value is {Kind}, not {wanted}.");
}
