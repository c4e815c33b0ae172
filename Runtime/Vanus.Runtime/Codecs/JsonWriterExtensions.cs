using System.Text.Json;

namespace Vanus.Runtime.Codecs;

/// <summary>
/// Optional members of the contract's management documents and problems: a member whose value is not set is left out,
/// never written as <c>null</c>, so a reader tells "not set" from "set to empty" the same way for every document. (The
/// event format writes its optional attributes itself, with pre-encoded names: it is on the read and delivery paths.)
/// </summary>
public static class JsonWriterExtensions
{
    /// <summary>Writes <paramref name="name"/> as a string when <paramref name="value"/> is set.</summary>
    public static void WriteStringIfSet(this Utf8JsonWriter writer, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Writes <paramref name="name"/> as a number when <paramref name="value"/> is set.</summary>
    public static void WriteNumberIfSet(this Utf8JsonWriter writer, string name, long? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    /// <summary>Writes <paramref name="name"/> as a number when <paramref name="value"/> is set.</summary>
    public static void WriteNumberIfSet(this Utf8JsonWriter writer, string name, double? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    /// <summary>Writes <paramref name="name"/> as <c>true</c> or <c>false</c> when <paramref name="value"/> is set.</summary>
    public static void WriteBooleanIfSet(this Utf8JsonWriter writer, string name, bool? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } flag)
        {
            writer.WriteBoolean(name, flag);
        }
    }

    /// <summary>Writes <paramref name="items"/> as a JSON array, each as <paramref name="write"/> writes it.</summary>
    public static void WriteArray<T>(this Utf8JsonWriter writer, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        writer.WriteStartArray();
        foreach (var item in items)
        {
            write(writer, item);
        }

        writer.WriteEndArray();
    }
}
