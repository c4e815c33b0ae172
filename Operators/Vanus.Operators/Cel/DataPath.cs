using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vanus.Operators.Cel;

/// <summary>
/// A path into an event's JSON data, as Vanus writes it after <c>data.</c> in a filter key or after <c>$</c> in a CEL
/// data variable: member names separated by dots, array indexes in brackets, and bracketed quoted names for names with
/// dots or spaces (<c>order.items[0].sku</c>, <c>['a.b'].c</c>). Lookups walk the UTF-8 bytes with a
/// <see cref="Utf8JsonReader"/>, so finding a value allocates nothing.
/// </summary>
internal sealed class DataPath
{
    private readonly Segment[] _segments;

    private DataPath(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    public static bool TryParse(string text, out DataPath? path, out string? error)
    {
        path = null;
        var segments = new List<Segment>();
        var i = 0;
        var expectName = true;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"'[' at position {i} is not closed with ']'";
                    return false;
                }

                var inside = text.AsSpan(i + 1, close - i - 1).Trim();
                if (inside.Length >= 2 && inside[0] is '\'' or '"' && inside[^1] == inside[0])
                {
                    var name = inside[1..^1].ToString();
                    if (name.Contains(inside[0]))
                    {
                        error = $"the quoted name at position {i} contains its own quote";
                        return false;
                    }

                    segments.Add(new Segment(Encoding.UTF8.GetBytes(name), -1, name));
                }
                else if (inside is "*")
                {
                    error = "wildcards ([*]) are not supported: a filter compares one value";
                    return false;
                }
                else if (int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(new Segment(null, index, null));
                }
                else
                {
                    error = $"'[{inside.ToString()}]' is neither an array index nor a quoted name";
                    return false;
                }

                i = close + 1;
                expectName = false;
                continue;
            }

            if (c == '.')
            {
                if (expectName)
                {
                    error = $"empty name at position {i}";
                    return false;
                }

                i++;
                expectName = true;
                if (i == text.Length)
                {
                    error = "the path ends with '.'";
                    return false;
                }

                continue;
            }

            if (!expectName)
            {
                error = $"expected '.' or '[' at position {i}";
                return false;
            }

            var end = i;
            while (end < text.Length && text[end] is not ('.' or '['))
            {
                end++;
            }

            var member = text[i..end];
            if (member == "*")
            {
                error = "wildcards (*) are not supported: a filter compares one value";
                return false;
            }

            segments.Add(new Segment(Encoding.UTF8.GetBytes(member), -1, member));
            i = end;
            expectName = false;
        }

        if (segments.Count == 0)
        {
            error = "the path is empty";
            return false;
        }

        path = new DataPath(text, [.. segments]);
        error = null;
        return true;
    }

    /// <summary>Moves a reader that starts at the beginning of the document onto the value at this path; false when there is none or the JSON is malformed.</summary>
    public bool TrySeek(ref Utf8JsonReader reader)
    {
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            foreach (var segment in _segments)
            {
                if (segment.Name is { } name)
                {
                    if (reader.TokenType != JsonTokenType.StartObject || !SeekMember(ref reader, name))
                    {
                        return false;
                    }
                }
                else if (reader.TokenType != JsonTokenType.StartArray || !SeekIndex(ref reader, segment.Index))
                {
                    return false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SeekMember(ref Utf8JsonReader reader, byte[] name)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                return reader.Read();
            }

            reader.Skip();
        }

        return false;
    }

    private static bool SeekIndex(ref Utf8JsonReader reader, int index)
    {
        var i = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (i == index)
            {
                return true;
            }

            reader.Skip();
            i++;
        }

        return false;
    }

    /// <summary>True when the bytes are exactly one well-formed JSON value; a lookup alone reads only up to the value it finds.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0 && reader.CurrentDepth == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public override string ToString() => Text;

    private readonly record struct Segment(byte[]? Name, int Index, string? Text);
}
