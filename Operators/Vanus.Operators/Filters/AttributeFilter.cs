using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vanus.Operators.Cel;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>How an <see cref="AttributeFilter"/> compares a value with the text it was given.</summary>
internal enum MatchMode : byte
{
    Exact,
    Prefix,
    Suffix,
}

/// <summary>
/// The <c>exact</c>, <c>prefix</c> and <c>suffix</c> dialects: every entry must match, case-sensitively, and a missing
/// attribute does not. Vanus's extensions: the key <c>data</c> compares the data as text, and <c>data.&lt;path&gt;</c> the
/// JSON value at that path (numbers and booleans as their JSON text); data that is not JSON never matches a
/// <c>data.</c> key. Attribute entries read the event's fields and compare spans, so they allocate nothing per event.
/// </summary>
internal sealed class AttributeFilter : FilterNode
{
    private readonly MatchMode _mode;
    private readonly AttributeCondition[] _attributes;
    private readonly byte[]? _wholeData;
    private readonly DataCondition[] _data;

    public AttributeFilter(MatchMode mode, IReadOnlyList<KeyValuePair<string, string>> entries)
    {
        _mode = mode;
        var attributes = new List<AttributeCondition>();
        var data = new List<DataCondition>();
        foreach (var (key, value) in entries)
        {
            if (key == "data")
            {
                _wholeData = Encoding.UTF8.GetBytes(value);
            }
            else if (FilterParser.DataPathOf(key) is { } pathText)
            {
                if (!DataPath.TryParse(pathText, out var path, out var error))
                {
                    throw new ArgumentException(error, nameof(entries));
                }

                data.Add(new DataCondition(path!, Encoding.UTF8.GetBytes(value)));
            }
            else
            {
                attributes.Add(new AttributeCondition(key, value));
            }
        }

        _attributes = [.. attributes];
        _data = [.. data];
    }

    public override bool Matches(Event e)
    {
        Span<char> scratch = stackalloc char[32];
        foreach (var condition in _attributes)
        {
            if (!condition.TryRead(e, scratch, out var text) || !Compare(text, condition.Value))
            {
                return false;
            }
        }

        if (_wholeData is { } expected && (e.Data is not { } bytes || !Compare(bytes.Span, expected)))
        {
            return false;
        }

        if (_data.Length == 0)
        {
            return true;
        }

        if (e.Data is not { } json || !e.IsJsonData || !DataPath.IsWellFormed(json.Span))
        {
            return false;
        }

        foreach (var condition in _data)
        {
            var reader = new Utf8JsonReader(json.Span);
            if (!condition.Path.TrySeek(ref reader) || !MatchToken(ref reader, condition.Value))
            {
                return false;
            }
        }

        return true;
    }

    private bool Compare(ReadOnlySpan<char> text, string value) => _mode switch
    {
        MatchMode.Exact => text.SequenceEqual(value),
        MatchMode.Prefix => text.StartsWith(value, StringComparison.Ordinal),
        _ => text.EndsWith(value, StringComparison.Ordinal),
    };

    // Prefixes and suffixes of UTF-8 bytes are prefixes and suffixes of the text, since the expected value is whole characters.
    private bool Compare(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value) => _mode switch
    {
        MatchMode.Exact => text.SequenceEqual(value),
        MatchMode.Prefix => text.StartsWith(value),
        _ => text.EndsWith(value),
    };

    private bool MatchToken(ref Utf8JsonReader reader, byte[] expected)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (_mode == MatchMode.Exact)
                {
                    return reader.ValueTextEquals(expected);
                }

                if (!reader.ValueIsEscaped)
                {
                    return Compare(reader.ValueSpan, expected);
                }

                // An escaped string unescapes to at most its raw length.
                var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                try
                {
                    var written = reader.CopyString(rented);
                    return Compare(rented.AsSpan(0, written), expected);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

            case JsonTokenType.Number:
                return Compare(reader.ValueSpan, expected);
            case JsonTokenType.True:
                return Compare("true"u8, expected);
            case JsonTokenType.False:
                return Compare("false"u8, expected);
            default:
                // Objects, arrays and null have no text to compare, as in Vanus.
                return false;
        }
    }

    private sealed record DataCondition(DataPath Path, byte[] Value);

    /// <summary>One attribute entry: which attribute (a core one by field, else an extension by name) and the expected text.</summary>
    private sealed class AttributeCondition(string name, string value)
    {
        private readonly Core _core = name switch
        {
            "id" => Core.Id,
            "source" => Core.Source,
            "type" => Core.Type,
            "specversion" => Core.SpecVersion,
            "subject" => Core.Subject,
            "datacontenttype" => Core.DataContentType,
            "dataschema" => Core.DataSchema,
            "time" => Core.Time,
            _ => Core.Extension,
        };

        private enum Core : byte
        {
            Extension,
            Id,
            Source,
            Type,
            SpecVersion,
            Subject,
            DataContentType,
            DataSchema,
            Time,
        }

        public string Value { get; } = value;

        /// <summary>The attribute's value as CloudEvents text (integers and booleans formatted into <paramref name="scratch"/>); false when absent.</summary>
        public bool TryRead(Event e, Span<char> scratch, out ReadOnlySpan<char> text)
        {
            string? s;
            switch (_core)
            {
                case Core.Id: s = e.Id; break;
                case Core.Source: s = e.Source; break;
                case Core.Type: s = e.Type; break;
                case Core.SpecVersion: s = e.SpecVersion; break;
                case Core.Subject: s = e.Subject; break;
                case Core.DataContentType: s = e.DataContentType; break;
                case Core.DataSchema: s = e.DataSchema; break;
                case Core.Time:
                    if (e.Time is not { } t)
                    {
                        text = default;
                        return false;
                    }

                    // The RFC 3339 text Rfc3339.Format gives (UTC, fraction digits only as needed), formatted without allocating.
                    t.UtcDateTime.TryFormat(scratch, out var length, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
                    text = scratch[..length];
                    return true;
                default:
                    if (!e.Extensions.TryGet(name, out var attribute))
                    {
                        text = default;
                        return false;
                    }

                    switch (attribute.Kind)
                    {
                        case AttributeKind.Integer:
                            attribute.AsInteger.TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture);
                            text = scratch[..written];
                            return true;
                        case AttributeKind.Boolean:
                            text = attribute.AsBoolean ? "true" : "false";
                            return true;
                        default:
                            s = attribute.AsText ?? attribute.ToString();
                            break;
                    }

                    break;
            }

            text = s;
            return s is not null;
        }
    }
}
