namespace Vanus.Operators.Cel;

/// <summary>A static type of the checker: the runtime kinds refined with list element and map key/value types, plus <c>dyn</c>.</summary>
internal sealed class CelType : IEquatable<CelType>
{
    public static readonly CelType Dyn = new(CelKind.Error);
    public static readonly CelType Null = new(CelKind.Null);
    public static readonly CelType Bool = new(CelKind.Bool);
    public static readonly CelType Int = new(CelKind.Int);
    public static readonly CelType Uint = new(CelKind.Uint);
    public static readonly CelType Double = new(CelKind.Double);
    public static readonly CelType String = new(CelKind.String);
    public static readonly CelType Bytes = new(CelKind.Bytes);
    public static readonly CelType Timestamp = new(CelKind.Timestamp);
    public static readonly CelType Duration = new(CelKind.Duration);
    public static readonly CelType TypeType = new(CelKind.Type);
    public static readonly CelType DynList = List(Dyn);
    public static readonly CelType DynMap = Map(Dyn, Dyn);

    private CelType(CelKind kind, CelType? first = null, CelType? second = null)
    {
        Kind = kind;
        First = first;
        Second = second;
    }

    /// <summary>The kind; <see cref="CelKind.Error"/> stands for <c>dyn</c>.</summary>
    public CelKind Kind { get; }

    /// <summary>The element type of a list or the key type of a map.</summary>
    public CelType? First { get; }

    /// <summary>The value type of a map.</summary>
    public CelType? Second { get; }

    public bool IsDyn => Kind == CelKind.Error;

    public static CelType List(CelType element) => new(CelKind.List, element);

    public static CelType Map(CelType key, CelType value) => new(CelKind.Map, key, value);

    public static CelType Of(CelKind kind) => kind switch
    {
        CelKind.Null => Null,
        CelKind.Bool => Bool,
        CelKind.Int => Int,
        CelKind.Uint => Uint,
        CelKind.Double => Double,
        CelKind.String => String,
        CelKind.Bytes => Bytes,
        CelKind.List => DynList,
        CelKind.Map => DynMap,
        CelKind.Timestamp => Timestamp,
        CelKind.Duration => Duration,
        CelKind.Type => TypeType,
        _ => Dyn,
    };

    /// <summary>True when a value of one type may meet a value of the other (dyn meets anything; lists and maps element-wise).</summary>
    public static bool Compatible(CelType a, CelType b)
    {
        if (a.IsDyn || b.IsDyn)
        {
            return true;
        }

        if (a.Kind != b.Kind)
        {
            return false;
        }

        return a.Kind switch
        {
            CelKind.List => Compatible(a.First!, b.First!),
            CelKind.Map => Compatible(a.First!, b.First!) && Compatible(a.Second!, b.Second!),
            _ => true,
        };
    }

    /// <summary>The most specific type that covers both (the type itself when equal, otherwise dyn or a list/map of dyn parts).</summary>
    public static CelType Join(CelType a, CelType b)
    {
        if (a.Equals(b))
        {
            return a;
        }

        if (a.Kind == b.Kind && a.Kind == CelKind.List)
        {
            return List(Join(a.First!, b.First!));
        }

        if (a.Kind == b.Kind && a.Kind == CelKind.Map)
        {
            return Map(Join(a.First!, b.First!), Join(a.Second!, b.Second!));
        }

        return Dyn;
    }

    public bool Equals(CelType? other) =>
        other is not null && Kind == other.Kind && Equals(First, other.First) && Equals(Second, other.Second);

    public override bool Equals(object? obj) => Equals(obj as CelType);

    public override int GetHashCode() => HashCode.Combine(Kind, First, Second);

    public override string ToString() => Kind switch
    {
        CelKind.Error => "dyn",
        CelKind.List => $"list({First})",
        CelKind.Map => $"map({First}, {Second})",
        CelKind.Type => "type",
        _ => CelTypeValue.Of(Sample(Kind)).Name,
    };

    private static CelValue Sample(CelKind kind) => kind switch
    {
        CelKind.Bool => CelValue.False,
        CelKind.Int => CelValue.Int(0),
        CelKind.Uint => CelValue.Uint(0),
        CelKind.Double => CelValue.Double(0),
        CelKind.String => CelValue.String(""),
        CelKind.Bytes => CelValue.Bytes([]),
        CelKind.Timestamp => CelValue.Timestamp(0, 0),
        CelKind.Duration => CelValue.Duration(0, 0),
        _ => CelValue.Null,
    };
}

/// <summary>A declared variable: its static type and how to read its value from the evaluation frame.</summary>
internal sealed class CelVariable(CelType type, CelEval read)
{
    public CelType Type { get; } = type;

    public CelEval Read { get; } = read;
}

/// <summary>The names an expression may use besides CEL's own: variables (and Vanus's data variables).</summary>
internal interface ICelDeclarations
{
    /// <summary>Finds a variable by (possibly qualified) name.</summary>
    CelVariable? FindVariable(string name);

    /// <summary>Resolves a data variable <c>$path.(type)</c>, or returns null with the reason it is not valid here.</summary>
    CelVariable? FindDataVariable(string path, string typeName, out string? error);
}
