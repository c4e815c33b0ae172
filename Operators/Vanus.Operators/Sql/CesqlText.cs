namespace Vanus.Operators.Sql;

/// <summary>
/// Character-level string operations for the built-in functions. CESQL strings are sequences of Unicode characters,
/// so a surrogate pair counts as one character; strings without surrogates (nearly all) take the UTF-16 fast path.
/// </summary>
internal static class CesqlText
{
    public static bool HasSurrogates(ReadOnlySpan<char> text) => text.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The number of Unicode characters (a lone surrogate counts as one).</summary>
    public static int Length(string text)
    {
        if (!HasSurrogates(text))
        {
            return text.Length;
        }

        var count = 0;
        for (var i = 0; i < text.Length; i += Width(text, i))
        {
            count++;
        }

        return count;
    }

    /// <summary>The UTF-16 offset of the character at <paramref name="index"/> (0 ≤ index ≤ length).</summary>
    public static int Offset(string text, int index)
    {
        if (!HasSurrogates(text))
        {
            return index;
        }

        var offset = 0;
        for (var n = 0; n < index && offset < text.Length; n++)
        {
            offset += Width(text, offset);
        }

        return offset;
    }

    /// <summary>How many UTF-16 units the character at <paramref name="offset"/> takes: 2 for a surrogate pair, else 1.</summary>
    public static int Width(ReadOnlySpan<char> text, int offset) =>
        char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;

    /// <summary>How many UTF-16 units the character ending just before <paramref name="end"/> takes.</summary>
    public static int WidthBefore(ReadOnlySpan<char> text, int end) =>
        char.IsLowSurrogate(text[end - 1]) && end >= 2 && char.IsHighSurrogate(text[end - 2]) ? 2 : 1;

    /// <summary>The characters from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), both character indexes.</summary>
    public static string Slice(string text, int start, int end)
    {
        if (start >= end)
        {
            return "";
        }

        var from = Offset(text, start);
        var to = Offset(text, end);
        return from == 0 && to == text.Length ? text : text[from..to];
    }
}
