namespace Vanus.Operators.Cel;

/// <summary>
/// An immutable CEL map with <c>int</c>, <c>uint</c>, <c>bool</c> or <c>string</c> keys, in insertion order. Numeric
/// keys are compared by value across int, uint and double, as heterogeneous equality requires (<c>{1: 'a'}[1u]</c>).
/// </summary>
internal sealed class CelMap
{
    private readonly Dictionary<Key, int> _index;

    private CelMap(CelValue[] keys, CelValue[] values, Dictionary<Key, int> index)
    {
        Keys = keys;
        Values = values;
        _index = index;
    }

    public static CelMap Empty { get; } = new([], [], []);

    public CelValue[] Keys { get; }

    public CelValue[] Values { get; }

    public int Count => Keys.Length;

    /// <summary>Builds a map; returns an error value for a key of a type maps cannot hold or a repeated key.</summary>
    public static CelValue Create(CelValue[] keys, CelValue[] values)
    {
        var index = new Dictionary<Key, int>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            if (!TryKey(keys[i], out var key))
            {
                return CelValue.Error($"unsupported key type: {keys[i].TypeName}");
            }

            if (!index.TryAdd(key, i))
            {
                return CelValue.Error($"Failed with repeated key: {CelFormat.Debug(keys[i])}");
            }
        }

        return CelValue.Map(new CelMap(keys, values, index));
    }

    /// <summary>Looks a key up; a key of any other type, or a double that is not a whole number, is simply absent.</summary>
    public bool TryGet(in CelValue key, out CelValue value)
    {
        if (Lookup(key, out var k) && _index.TryGetValue(k, out var i))
        {
            value = Values[i];
            return true;
        }

        value = default;
        return false;
    }

    public bool ContainsKey(in CelValue key) => Lookup(key, out var k) && _index.ContainsKey(k);

    public bool TryGet(string key, out CelValue value) => TryGet(CelValue.String(key), out value);

    private static bool TryKey(in CelValue value, out Key key)
    {
        switch (value.Kind)
        {
            case CelKind.Int:
            case CelKind.Uint:
            case CelKind.Bool:
            case CelKind.String:
                return Lookup(value, out key);
            default:
                key = default;
                return false;
        }
    }

    private static bool Lookup(in CelValue value, out Key key)
    {
        switch (value.Kind)
        {
            case CelKind.Int:
                key = new Key(KeyClass.Number, value.IntValue, null);
                return true;
            case CelKind.Uint:
                key = value.UintValue <= long.MaxValue
                    ? new Key(KeyClass.Number, (long)value.UintValue, null)
                    : new Key(KeyClass.BigUnsigned, value.IntValue, null);
                return true;
            case CelKind.Double:
                var d = value.DoubleValue;
                if (d != Math.Floor(d) || double.IsInfinity(d))
                {
                    break;
                }

                if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
                {
                    key = new Key(KeyClass.Number, (long)d, null);
                    return true;
                }

                if (d >= 9223372036854775808.0 && d < 18446744073709551616.0)
                {
                    key = new Key(KeyClass.BigUnsigned, unchecked((long)(ulong)d), null);
                    return true;
                }

                break;
            case CelKind.Bool:
                key = new Key(KeyClass.Bool, value.BoolValue ? 1 : 0, null);
                return true;
            case CelKind.String:
                key = new Key(KeyClass.String, 0, value.StringValue);
                return true;
        }

        key = default;
        return false;
    }

    private enum KeyClass : byte
    {
        Number,
        BigUnsigned,
        Bool,
        String,
    }

    private readonly record struct Key(KeyClass Class, long Number, string? Text);
}
