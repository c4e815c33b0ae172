using System.Collections;

namespace Vanus.Runtime.Events;

/// <summary>An immutable, ordered set of extension attributes; small by nature, so it is an array searched in order.</summary>
public readonly struct ExtensionAttributes : IReadOnlyList<KeyValuePair<string, AttributeValue>>, IEquatable<ExtensionAttributes>
{
    private readonly KeyValuePair<string, AttributeValue>[]? _items;

    internal ExtensionAttributes(KeyValuePair<string, AttributeValue>[] items) => _items = items.Length == 0 ? null : items;

    /// <summary>No extensions.</summary>
    public static ExtensionAttributes Empty => default;

    /// <summary>How many extensions there are.</summary>
    public int Count => _items?.Length ?? 0;

    /// <summary>The extension at <paramref name="index"/> in insertion order.</summary>
    public KeyValuePair<string, AttributeValue> this[int index] => (_items ?? [])[index];

    /// <summary>Builds a set from name/value pairs, checking every name and rejecting duplicates and reserved names.</summary>
    public static ExtensionAttributes From(IEnumerable<KeyValuePair<string, AttributeValue>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = new List<KeyValuePair<string, AttributeValue>>();
        foreach (var item in items)
        {
            Check(item.Key);
            foreach (var existing in list)
            {
                if (existing.Key == item.Key)
                {
                    throw new CloudEventFormatException(item.Key, "appears twice");
                }
            }

            list.Add(item);
        }

        return new ExtensionAttributes([.. list]);
    }

    /// <summary>Finds an extension by name (ordinal, case-sensitive).</summary>
    public bool TryGet(string name, out AttributeValue value)
    {
        if (_items is { } items)
        {
            foreach (var item in items)
            {
                if (string.Equals(item.Key, name, StringComparison.Ordinal))
                {
                    value = item.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>Returns a set with <paramref name="name"/> set to <paramref name="value"/> (replaced if present).</summary>
    public ExtensionAttributes With(string name, AttributeValue value)
    {
        Check(name);
        var items = _items ?? [];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Key == name)
            {
                var copy = (KeyValuePair<string, AttributeValue>[])items.Clone();
                copy[i] = new(name, value);
                return new ExtensionAttributes(copy);
            }
        }

        var grown = new KeyValuePair<string, AttributeValue>[items.Length + 1];
        items.CopyTo(grown, 0);
        grown[^1] = new(name, value);
        return new ExtensionAttributes(grown);
    }

    /// <summary>Returns a set without <paramref name="name"/>.</summary>
    public ExtensionAttributes Without(string name)
    {
        if (_items is not { } items || !TryGet(name, out _))
        {
            return this;
        }

        return new ExtensionAttributes(items.Where(i => i.Key != name).ToArray());
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, AttributeValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, AttributeValue>>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Equal when both hold the same names with equal values, in any order.</summary>
    public bool Equals(ExtensionAttributes other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        foreach (var item in this)
        {
            if (!other.TryGet(item.Key, out var value) || !value.Equals(item.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ExtensionAttributes other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Count;

    /// <summary>Compares two sets by content.</summary>
    public static bool operator ==(ExtensionAttributes left, ExtensionAttributes right) => left.Equals(right);

    /// <summary>Compares two sets by content.</summary>
    public static bool operator !=(ExtensionAttributes left, ExtensionAttributes right) => !left.Equals(right);

    private static void Check(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (EventRules.CheckAttributeName(name) is { } rule)
        {
            throw new CloudEventFormatException(name, rule);
        }

        if (EventRules.IsReserved(name))
        {
            throw new CloudEventFormatException(name, "is a core attribute, not an extension");
        }
    }
}
