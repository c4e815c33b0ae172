namespace Vanus.Runtime.Events;

/// <summary>The CloudEvents 1.0 rules for attribute names and values, shared by every codec.</summary>
public static class EventRules
{
    /// <summary>The only spec version this runtime reads and writes.</summary>
    public const string SpecVersion = "1.0";

    /// <summary>Names a codec must not take as extensions, because the spec or a format gives them a meaning.</summary>
    private static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64",
    };

    /// <summary>True if <paramref name="name"/> is a spec-defined attribute (or a data member of the JSON format).</summary>
    public static bool IsReserved(string name) => ReservedNames.Contains(name);

    /// <summary>Checks an extension name: lower-case ASCII letters and digits only (CloudEvents 1.0, "Attribute Naming Convention").</summary>
    public static string? CheckAttributeName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "must not be empty";
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return "must consist of lower-case ASCII letters and digits only";
            }
        }

        return null;
    }

    /// <summary>
    /// Checks a String attribute value: CloudEvents 1.0 allows any Unicode text but control characters (U+0000–U+001F,
    /// U+007F–U+009F); lone surrogates cannot reach here (the codecs refuse them as they decode).
    /// </summary>
    public static string? CheckText(ReadOnlySpan<char> value)
    {
        var at = value.IndexOfAnyInRange('\u0000', '\u001F');
        var high = value.IndexOfAnyInRange('\u007F', '\u009F');
        if (at < 0 || (high >= 0 && high < at))
        {
            at = high;
        }

        return at < 0 ? null : $"must not contain control characters (U+{(int)value[at]:X4} at character {at})";
    }

    /// <summary>Checks a URI-reference value (source, or an extension of that type).</summary>
    public static string? CheckUriReference(string value)
    {
        if (value.Length == 0)
        {
            return "must be a non-empty URI-reference";
        }

        return Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _) && !HasControlOrSpace(value) ? null : "must be a URI-reference (RFC 3986)";
    }

    /// <summary>Checks an absolute URI value (dataschema, or an extension of that type).</summary>
    public static string? CheckUri(string value)
    {
        if (value.Length == 0)
        {
            return "must be a non-empty absolute URI";
        }

        return Uri.TryCreate(value, UriKind.Absolute, out _) && !HasControlOrSpace(value) ? null : "must be an absolute URI (RFC 3986)";
    }

    /// <summary>Checks a media type per RFC 2046: <c>type/subtype</c> of token characters, then optional parameters.</summary>
    public static string? CheckMediaType(string value)
    {
        if (value.Length == 0)
        {
            return "must be a non-empty media type (RFC 2046)";
        }

        var span = value.AsSpan();
        var semicolon = span.IndexOf(';');
        var essence = (semicolon < 0 ? span : span[..semicolon]).Trim();
        var slash = essence.IndexOf('/');
        if (slash <= 0 || slash == essence.Length - 1 || !IsToken(essence[..slash]) || !IsToken(essence[(slash + 1)..]))
        {
            return "must be a media type of the form type/subtype (RFC 2046)";
        }

        return semicolon < 0 ? null : CheckCharset(value);
    }

    /// <summary>
    /// Checks the <c>charset</c> parameter of a media type, if it has one: text travels and is stored as UTF-8 only, so any
    /// other charset (which would be read as UTF-8 all the same) is refused rather than mis-read.
    /// </summary>
    public static string? CheckCharset(string? mediaType)
    {
        if (mediaType is null)
        {
            return null;
        }

        foreach (var range in mediaType.AsSpan().Split(';'))
        {
            var parameter = mediaType.AsSpan()[range].Trim();
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var charset = parameter[(equals + 1)..].Trim().Trim('"');
            if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
                && !charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            {
                return $"declares charset '{charset}': only UTF-8 text is taken";
            }
        }

        return null;
    }

    /// <summary>True when a media type says the data is JSON (<c>application/json</c> or any <c>+json</c> suffix); null counts as JSON, as the JSON format says.</summary>
    public static bool IsJsonMediaType(string? contentType)
    {
        if (contentType is null)
        {
            return true;
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        var essence = (semicolon < 0 ? span : span[..semicolon]).Trim();
        return essence.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || essence.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || essence.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when a media type says the data is text (<c>text/*</c>, or JSON, XML and similar).</summary>
    public static bool IsTextMediaType(string? contentType)
    {
        if (contentType is null || IsJsonMediaType(contentType))
        {
            return true;
        }

        return contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            // RFC 7230 tchar.
            var ok = char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControlOrSpace(string value)
    {
        foreach (var c in value)
        {
            if (c <= ' ' || c == '\u007f')
            {
                return true;
            }
        }

        return false;
    }
}
