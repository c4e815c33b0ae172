using System.Runtime.CompilerServices;

namespace Vanus.Operators.Cel;

/// <summary>The runtime kinds of CEL values (cel-spec langdef, "Values"), plus the error kind that carries a runtime error.</summary>
internal enum CelKind : byte
{
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    List,
    Map,
    Timestamp,
    Duration,
    Type,
    Error,
}

/// <summary>
/// One CEL value. Scalars live unboxed in <see cref="_bits"/> (and <see cref="_nanos"/> for timestamps and durations),
/// references in <see cref="_ref"/>, so evaluating over strings and numbers allocates nothing. Runtime errors are values
/// of kind <see cref="CelKind.Error"/>: CEL's logical operators and macros must be able to absorb them, and an exception
/// per failed event would cost far more than a branch.
/// </summary>
internal readonly struct CelValue
{
    private readonly object? _ref;
    private readonly long _bits;
    private readonly int _nanos;

    private CelValue(CelKind kind, long bits, int nanos, object? reference)
    {
        Kind = kind;
        _bits = bits;
        _nanos = nanos;
        _ref = reference;
    }

    public CelKind Kind { get; }

    public static CelValue Null => default;

    public static readonly CelValue True = new(CelKind.Bool, 1, 0, null);

    public static readonly CelValue False = new(CelKind.Bool, 0, 0, null);

    public static CelValue Bool(bool value) => value ? True : False;

    public static CelValue Int(long value) => new(CelKind.Int, value, 0, null);

    public static CelValue Uint(ulong value) => new(CelKind.Uint, unchecked((long)value), 0, null);

    public static CelValue Double(double value) => new(CelKind.Double, BitConverter.DoubleToInt64Bits(value), 0, null);

    public static CelValue String(string value) => new(CelKind.String, 0, 0, value);

    public static CelValue Bytes(byte[] value) => new(CelKind.Bytes, 0, 0, value);

    public static CelValue List(CelValue[] items) => new(CelKind.List, 0, 0, items);

    public static CelValue Map(CelMap map) => new(CelKind.Map, 0, 0, map);

    public static CelValue Type(CelTypeValue type) => new(CelKind.Type, 0, 0, type);

    /// <summary>A timestamp as seconds since the Unix epoch and nanoseconds in [0, 10^9); the caller checks the range.</summary>
    public static CelValue Timestamp(long seconds, int nanos) => new(CelKind.Timestamp, seconds, nanos, null);

    /// <summary>A duration as whole seconds (floored) and nanoseconds in [0, 10^9); the caller checks the range.</summary>
    public static CelValue Duration(long seconds, int nanos) => new(CelKind.Duration, seconds, nanos, null);

    public static CelValue Error(string message) => new(CelKind.Error, 0, 0, new CelError(message));

    public static CelValue NoSuchOverload(string function, in CelValue a) =>
        Error($"no such overload: {function}({a.TypeName})");

    public static CelValue NoSuchOverload(string function, in CelValue a, in CelValue b) =>
        Error($"no such overload: {function}({a.TypeName}, {b.TypeName})");

    public bool IsError => Kind == CelKind.Error;

    public bool BoolValue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits != 0;
    }

    public long IntValue => _bits;

    public ulong UintValue => unchecked((ulong)_bits);

    public double DoubleValue => BitConverter.Int64BitsToDouble(_bits);

    public string StringValue => (string)_ref!;

    public byte[] BytesValue => (byte[])_ref!;

    public CelValue[] ListValue => (CelValue[])_ref!;

    public CelMap MapValue => (CelMap)_ref!;

    public CelTypeValue TypeValue => (CelTypeValue)_ref!;

    public CelError ErrorValue => (CelError)_ref!;

    /// <summary>Seconds of a timestamp or duration.</summary>
    public long Seconds => _bits;

    /// <summary>Nanoseconds of a timestamp or duration, always in [0, 10^9).</summary>
    public int Nanos => _nanos;

    /// <summary>True when this is the boolean true (not an error, not another kind).</summary>
    public bool IsTrue => Kind == CelKind.Bool && _bits != 0;

    /// <summary>The CEL type name of the value, as <c>type(x)</c> would print it.</summary>
    public string TypeName => CelTypeValue.Of(this).Name;

    /// <summary>Formats the value for messages and tests (a CEL-like literal form).</summary>
    public override string ToString() => CelFormat.Debug(this);
}

/// <summary>A CEL runtime error (no_matching_overload, division by zero, overflow, no such key...): only its message matters.</summary>
internal sealed class CelError(string message)
{
    public string Message { get; } = message;

    public override string ToString() => Message;
}

/// <summary>A CEL type as a runtime value: what <c>type(x)</c> returns and what <c>int</c>, <c>list</c>... denote.</summary>
internal sealed class CelTypeValue
{
    public static readonly CelTypeValue NullType = new("null_type");
    public static readonly CelTypeValue Bool = new("bool");
    public static readonly CelTypeValue Int = new("int");
    public static readonly CelTypeValue Uint = new("uint");
    public static readonly CelTypeValue Double = new("double");
    public static readonly CelTypeValue String = new("string");
    public static readonly CelTypeValue Bytes = new("bytes");
    public static readonly CelTypeValue List = new("list");
    public static readonly CelTypeValue Map = new("map");
    public static readonly CelTypeValue Timestamp = new("google.protobuf.Timestamp");
    public static readonly CelTypeValue Duration = new("google.protobuf.Duration");
    public static readonly CelTypeValue Type = new("type");
    public static readonly CelTypeValue ErrorType = new("error");

    private CelTypeValue(string name) => Name = name;

    public string Name { get; }

    /// <summary>Type denotations by the identifier that names them in an expression.</summary>
    public static CelTypeValue? ByName(string name) => name switch
    {
        "null_type" => NullType,
        "bool" => Bool,
        "int" => Int,
        "uint" => Uint,
        "double" => Double,
        "string" => String,
        "bytes" => Bytes,
        "list" => List,
        "map" => Map,
        "type" => Type,
        "google.protobuf.Timestamp" => Timestamp,
        "google.protobuf.Duration" => Duration,
        _ => null,
    };

    public static CelTypeValue Of(in CelValue value) => value.Kind switch
    {
        CelKind.Null => NullType,
        CelKind.Bool => Bool,
        CelKind.Int => Int,
        CelKind.Uint => Uint,
        CelKind.Double => Double,
        CelKind.String => String,
        CelKind.Bytes => Bytes,
        CelKind.List => List,
        CelKind.Map => Map,
        CelKind.Timestamp => Timestamp,
        CelKind.Duration => Duration,
        CelKind.Type => Type,
        _ => ErrorType,
    };

    public override string ToString() => Name;
}
