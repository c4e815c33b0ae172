using System.Text.Json;
using Vanus.Runtime.Events;

namespace Vanus.Client.Http;

/// <summary>Reads members of the node's JSON answers; a member of the wrong type throws <see cref="FormatException"/> naming it.</summary>
internal static class JsonRead
{
    /// <summary>The string member, or null when it is absent or null (problem documents are read leniently: other types also give null).</summary>
    public static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The integer member, or null when it is absent, null or not a 32-bit integer.</summary>
    public static int? OptionalInt(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : null;

    public static string RequiredString(JsonElement obj, string name, string path) =>
        Member(obj, name, path) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(path, name, "a string", value)
            : throw new FormatException($"'{Join(path, name)}' is missing");

    public static string? StringOrNull(JsonElement obj, string name, string path) =>
        Member(obj, name, path) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(path, name, "a string", value)
            : null;

    public static long? Long(JsonElement obj, string name, string path) =>
        Member(obj, name, path) is { } value
            ? value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) ? l : throw Wrong(path, name, "a whole number", value)
            : null;

    public static long RequiredLong(JsonElement obj, string name, string path) =>
        Long(obj, name, path) ?? throw new FormatException($"'{Join(path, name)}' is missing");

    public static int? Int(JsonElement obj, string name, string path) =>
        Long(obj, name, path) is { } l ? l is >= int.MinValue and <= int.MaxValue ? (int)l : throw new FormatException($"'{Join(path, name)}' is out of range ({l})") : null;

    public static DateTimeOffset? Time(JsonElement obj, string name, string path)
    {
        var text = StringOrNull(obj, name, path);
        if (text is null)
        {
            return null;
        }

        return Rfc3339.TryParse(text, out var time, out var error) ? time : throw new FormatException($"'{Join(path, name)}' is not an RFC 3339 time: '{text}' {error}");
    }

    public static JsonElement? Array(JsonElement obj, string name, string path) =>
        Member(obj, name, path) is { } value
            ? value.ValueKind == JsonValueKind.Array ? value : throw Wrong(path, name, "an array", value)
            : null;

    public static JsonElement? Object(JsonElement obj, string name, string path) =>
        Member(obj, name, path) is { } value
            ? value.ValueKind == JsonValueKind.Object ? value : throw Wrong(path, name, "an object", value)
            : null;

    public static void ExpectObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"'{(path.Length == 0 ? "the body" : path)}' must be a JSON object, not {element.ValueKind}");
        }
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    private static JsonElement? Member(JsonElement obj, string name, string path)
    {
        ExpectObject(obj, path);
        return obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    private static FormatException Wrong(string path, string name, string expected, JsonElement got) =>
        new($"'{Join(path, name)}' must be {expected}, not {got.ValueKind}");
}
