using System.Collections.Frozen;
using System.Globalization;

namespace Vanus.Runtime.Events;

/// <summary>How codecs read events: which extensions have a known CloudEvents type (formats such as HTTP headers carry only strings).</summary>
public sealed record EventReadOptions
{
    /// <summary>No known extensions: every string-valued extension stays a String.</summary>
    public static EventReadOptions Default { get; } = new();

    private readonly FrozenDictionary<string, AttributeKind> _types = FrozenDictionary<string, AttributeKind>.Empty;

    /// <summary>Extension names with their declared type; values of those extensions are parsed and checked as that type.</summary>
    public IReadOnlyDictionary<string, AttributeKind> ExtensionTypes
    {
        get => _types;
        init => _types = (value ?? throw new ArgumentNullException(nameof(value))).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>True when this set of options declares a type for <paramref name="name"/>.</summary>
    internal bool TryGetType(string name, out AttributeKind kind) => _types.TryGetValue(name, out kind);

    /// <summary>Reads an extension's text as <paramref name="kind"/>, or throws naming the attribute and the rule.</summary>
    internal static AttributeValue ParseTyped(string name, AttributeKind kind, string text)
    {
        switch (kind)
        {
            case AttributeKind.String:
                return AttributeValue.FromString(text);
            case AttributeKind.Integer:
                return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? AttributeValue.FromInteger(i)
                    : throw new CloudEventFormatException(name, $"must be a 32-bit integer (got '{text}')");
            case AttributeKind.Boolean:
                return text switch
                {
                    "true" => AttributeValue.FromBoolean(true),
                    "false" => AttributeValue.FromBoolean(false),
                    _ => throw new CloudEventFormatException(name, $"must be 'true' or 'false' (got '{text}')"),
                };
            case AttributeKind.Binary:
                try
                {
                    return AttributeValue.FromBinary(Convert.FromBase64String(text));
                }
                catch (FormatException e)
                {
                    throw new CloudEventFormatException(name, "must be base64 (RFC 4648)", inner: e);
                }

            case AttributeKind.Uri:
                return EventRules.CheckUri(text) is { } uriRule ? throw new CloudEventFormatException(name, uriRule) : AttributeValue.FromUri(text);
            case AttributeKind.UriReference:
                return EventRules.CheckUriReference(text) is { } refRule ? throw new CloudEventFormatException(name, refRule) : AttributeValue.FromUriReference(text);
            case AttributeKind.Timestamp:
                return Rfc3339.TryParse(text, out var ts, out var why)
                    ? AttributeValue.FromTimestamp(ts)
                    : throw new CloudEventFormatException(name, $"must be an RFC 3339 timestamp: '{text}' {why}");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown attribute kind.");
        }
    }
}
