using System.Text.Json;

namespace Vanus.Gateway.Management;

/// <summary>
/// Checks a management document's text before it is read: every member name and string must be valid Unicode (no
/// invalid UTF-8, no escaped lone surrogate) and no object may name a member twice. Found here, either is a 400 naming
/// the field; missed, it would surface deep in a reader as an exception.
/// </summary>
internal static class DocumentText
{
    private const string InvalidText = "is not valid Unicode text (invalid UTF-8, or an escaped lone surrogate)";

    /// <summary>The first field at fault and why, or null when the text is sound (malformed JSON is left to the document's reader to report).</summary>
    public static (string? Field, string Reason)? Check(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            return reader.Read() ? Value(ref reader, null) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Field, string Reason)? Value(ref Utf8JsonReader reader, string? path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    if (Text(ref reader) is not { } name)
                    {
                        return (path, "has a member name that " + InvalidText);
                    }

                    var field = path is null ? name : $"{path}.{name}";
                    if (!seen.Add(name))
                    {
                        return (field, "appears twice");
                    }

                    if (reader.Read() && Value(ref reader, field) is { } fault)
                    {
                        return fault;
                    }
                }

                return null;
            case JsonTokenType.StartArray:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (Value(ref reader, $"{path}[{index++}]") is { } fault)
                    {
                        return fault;
                    }
                }

                return null;
            case JsonTokenType.String:
                return Text(ref reader) is null ? (path, InvalidText) : null;
            default:
                return null;
        }
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
