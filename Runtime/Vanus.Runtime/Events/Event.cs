using System.Text;

namespace Vanus.Runtime.Events;

/// <summary>
/// An immutable CloudEvent (spec version 1.0) in the runtime's compact form: typed fields, no dictionaries,
/// data as bytes. Hot paths use it end to end; <see cref="Codecs.CloudEventConversions"/> converts to the SDK's CloudEvent at the edges.
/// </summary>
public sealed record Event
{
    private readonly string _id = "";
    private readonly string _source = "";
    private readonly string _type = "";
    private readonly string? _subject;
    private readonly string? _dataContentType;
    private readonly string? _dataSchema;
    private readonly ReadOnlyMemory<byte>? _data;

    /// <summary>Creates an event with the three required attributes besides <c>specversion</c>.</summary>
    public Event(string id, string source, string type)
    {
        Id = id;
        Source = source;
        Type = type;
    }

    /// <summary>Always "1.0": the only CloudEvents version this runtime takes.</summary>
#pragma warning disable CA1822 // part of the event's shape, read like the other attributes
    public string SpecVersion => EventRules.SpecVersion;
#pragma warning restore CA1822

    /// <summary>The event's identifier (non-empty); unique per source only by the producer's promise.</summary>
    public string Id { get => _id; init => _id = NonEmpty(value, "id"); }

    /// <summary>The context in which the event happened, a non-empty URI-reference.</summary>
    public string Source { get => _source; init => _source = NonEmpty(value, "source"); }

    /// <summary>The kind of event, a non-empty string such as <c>order.created</c>.</summary>
    public string Type { get => _type; init => _type = NonEmpty(value, "type"); }

    /// <summary>The media type of <see cref="Data"/>, or null.</summary>
    public string? DataContentType { get => _dataContentType; init => _dataContentType = NullOrNonEmpty(value, "datacontenttype"); }

    /// <summary>The absolute URI of the schema <see cref="Data"/> adheres to, or null.</summary>
    public string? DataSchema { get => _dataSchema; init => _dataSchema = NullOrNonEmpty(value, "dataschema"); }

    /// <summary>The subject of the event within its source, or null.</summary>
    public string? Subject { get => _subject; init => _subject = NullOrNonEmpty(value, "subject"); }

    /// <summary>When the occurrence happened, or null.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>Extension attributes in the order they were given.</summary>
    public ExtensionAttributes Extensions { get; init; }

    /// <summary>The payload bytes, or null when the event has no data (which differs from empty data).</summary>
    public ReadOnlyMemory<byte>? Data { get => _data; init => _data = value; }

    /// <summary>True when the event carries data (possibly empty).</summary>
    public bool HasData => _data.HasValue;

    /// <summary>The data decoded as UTF-8 text, or null when there is no data.</summary>
    public string? DataText => _data is { } d ? Encoding.UTF8.GetString(d.Span) : null;

    /// <summary>True when <see cref="DataContentType"/> says the data is JSON (absent counts as JSON).</summary>
    public bool IsJsonData => EventRules.IsJsonMediaType(_dataContentType);

    /// <summary>Returns a copy with one extension attribute set.</summary>
    public Event WithExtension(string name, AttributeValue value) => this with { Extensions = Extensions.With(name, value) };

    /// <summary>Returns a copy with UTF-8 text data and the given content type.</summary>
    public Event WithTextData(string text, string contentType = "text/plain") =>
        this with { Data = Encoding.UTF8.GetBytes(text), DataContentType = contentType };

    /// <summary>Looks up any attribute, core or extension, as a typed value.</summary>
    public bool TryGetAttribute(string name, out AttributeValue value)
    {
        switch (name)
        {
            case "specversion": value = AttributeValue.FromString(EventRules.SpecVersion); return true;
            case "id": value = AttributeValue.FromString(_id); return true;
            case "source": value = AttributeValue.FromUriReference(_source); return true;
            case "type": value = AttributeValue.FromString(_type); return true;
            case "subject": return Optional(_subject, AttributeKind.String, out value);
            case "datacontenttype": return Optional(_dataContentType, AttributeKind.String, out value);
            case "dataschema": return Optional(_dataSchema, AttributeKind.Uri, out value);
            case "time":
                value = Time is { } t ? AttributeValue.FromTimestamp(t) : default;
                return Time.HasValue;
            default:
                return Extensions.TryGet(name, out value);
        }
    }

    /// <summary>Equal when every attribute and the data bytes are equal; timestamps compare as instants.</summary>
    public bool Equals(Event? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && _id == other._id && _source == other._source && _type == other._type
            && _subject == other._subject && _dataContentType == other._dataContentType && _dataSchema == other._dataSchema
            && Nullable.Equals(Time?.UtcTicks, other.Time?.UtcTicks)
            && Extensions.Equals(other.Extensions)
            && _data.HasValue == other._data.HasValue
            && (!_data.HasValue || _data.Value.Span.SequenceEqual(other._data!.Value.Span));
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_id, _source, _type, Time?.UtcTicks, _data?.Length);

    /// <summary>A short description for logs: id, source, type and the data size.</summary>
    public override string ToString() => $"CloudEvent(id={_id}, source={_source}, type={_type}, data={(_data is { } d ? d.Length + " bytes" : "none")})";

    private static bool Optional(string? text, AttributeKind kind, out AttributeValue value)
    {
        value = text is null ? default : kind == AttributeKind.Uri ? AttributeValue.FromUri(text) : AttributeValue.FromString(text);
        return text is not null;
    }

    private static string NonEmpty(string value, string attribute)
    {
        ArgumentNullException.ThrowIfNull(value, attribute);
        return value.Length > 0 ? value : throw new CloudEventFormatException(attribute, "must be a non-empty string");
    }

    private static string? NullOrNonEmpty(string? value, string attribute) =>
        value is null || value.Length > 0 ? value : throw new CloudEventFormatException(attribute, "must not be empty when present");
}
