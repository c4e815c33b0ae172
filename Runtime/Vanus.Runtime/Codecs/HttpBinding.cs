using System.Net.Http.Headers;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Codecs;

/// <summary>The CloudEvents HTTP protocol binding: binary, structured and batch modes, independent of the HTTP stack.</summary>
public static class HttpBinding
{
    /// <summary>The prefix of attribute headers in binary mode.</summary>
    public const string HeaderPrefix = "ce-";

    /// <summary>Tells the content mode from the <c>Content-Type</c> of a message.</summary>
    public static ContentMode DetectMode(string? contentType)
    {
        if (contentType is null)
        {
            return ContentMode.Binary;
        }

        var essence = Essence(contentType);
        var structured = essence.Equals(JsonEventFormat.StructuredMediaType, StringComparison.OrdinalIgnoreCase);
        if (structured || essence.Equals(JsonEventFormat.BatchMediaType, StringComparison.OrdinalIgnoreCase))
        {
            // JSON is UTF-8 (RFC 8259): a body that says otherwise would be mis-read, so it is refused.
            if (EventRules.CheckCharset(contentType) is { } charsetRule)
            {
                throw new CloudEventFormatException(null, charsetRule);
            }

            return structured ? ContentMode.Structured : ContentMode.Batch;
        }

        if (essence.StartsWith("application/cloudevents", StringComparison.OrdinalIgnoreCase))
        {
            throw new CloudEventFormatException(null, $"uses event format '{essence}', but only JSON ({JsonEventFormat.StructuredMediaType}, {JsonEventFormat.BatchMediaType}) is supported");
        }

        return ContentMode.Binary;
    }

    /// <summary>Reads every event of an HTTP message in whichever mode it is in.</summary>
    public static IReadOnlyList<Event> Decode(
        string? contentType,
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers,
        ReadOnlyMemory<byte> body,
        EventReadOptions? options = null) => DetectMode(contentType) switch
        {
            ContentMode.Structured => [JsonEventFormat.Decode(body.Span, options)],
            ContentMode.Batch => JsonEventFormat.DecodeBatch(body.Span, options),
            _ => [DecodeBinary(headers, contentType, body, options)],
        };

    /// <summary>Reads a binary-mode event: attributes from <c>ce-</c> headers (percent-decoded), data from the body.</summary>
    public static Event DecodeBinary(
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers,
        string? contentType,
        ReadOnlyMemory<byte> body,
        EventReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        options ??= EventReadOptions.Default;
        string? specVersion = null, id = null, source = null, type = null, schema = null, subject = null;
        DateTimeOffset? time = null;
        List<KeyValuePair<string, AttributeValue>>? extensions = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (headerName, values) in headers)
        {
            if (!headerName.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // HTTP header names are case-insensitive; attribute names are lower case.
            var name = headerName[HeaderPrefix.Length..].ToLowerInvariant();
            string? raw = null;
            foreach (var v in values)
            {
                if (raw is not null)
                {
                    throw new CloudEventFormatException(name, $"appears more than once (header '{headerName}')");
                }

                raw = v;
            }

            if (raw is null || !seen.Add(name))
            {
                throw new CloudEventFormatException(name, $"appears more than once (header '{headerName}')");
            }

            if (!HeaderValueEncoding.TryDecode(raw, out var value, out var encodingError))
            {
                throw new CloudEventFormatException(name, $"header value {encodingError}");
            }

            if (EventRules.CheckText(value) is { } textRule)
            {
                throw new CloudEventFormatException(name, textRule);
            }

            switch (name)
            {
                case "specversion": specVersion = value; break;
                case "id": id = NonEmpty(value, name); break;
                case "source": source = NonEmpty(value, name); break;
                case "type": type = NonEmpty(value, name); break;
                case "dataschema": schema = NonEmpty(value, name); break;
                case "subject": subject = NonEmpty(value, name); break;
                case "time":
                    time = Rfc3339.TryParse(value, out var t, out var why) ? t : throw new CloudEventFormatException("time", $"must be an RFC 3339 timestamp: '{value}' {why}");
                    break;
                case "datacontenttype":
                    throw new CloudEventFormatException(name, "travels as the Content-Type header in binary mode, not as 'ce-datacontenttype'");
                case "data" or "data_base64":
                    throw new CloudEventFormatException(name, "is not an attribute; in binary mode the data is the body");
                default:
                    if (EventRules.CheckAttributeName(name) is { } rule)
                    {
                        throw new CloudEventFormatException(name, rule);
                    }

                    var typed = options.TryGetType(name, out var kind) ? EventReadOptions.ParseTyped(name, kind, value) : AttributeValue.FromString(value);
                    (extensions ??= []).Add(new(name, typed));
                    break;
            }
        }

        if (specVersion is null)
        {
            throw new CloudEventFormatException("specversion", "is required (binary mode needs a 'ce-specversion' header, or send Content-Type application/cloudevents+json)");
        }

        if (specVersion != EventRules.SpecVersion)
        {
            throw new CloudEventFormatException("specversion", $"must be '{EventRules.SpecVersion}' (got '{specVersion}')");
        }

        if (id is null || source is null || type is null)
        {
            throw new CloudEventFormatException(id is null ? "id" : source is null ? "source" : "type", "is required");
        }

        if (EventRules.CheckUriReference(source) is { } sourceRule)
        {
            throw new CloudEventFormatException("source", sourceRule);
        }

        if (schema is not null && EventRules.CheckUri(schema) is { } schemaRule)
        {
            throw new CloudEventFormatException("dataschema", schemaRule);
        }

        if (contentType is not null && EventRules.CheckMediaType(contentType) is { } ctRule)
        {
            throw new CloudEventFormatException("datacontenttype", ctRule);
        }

        // JSON data is served as the JSON text it is: bytes that are not UTF-8 would make every read of it unreadable.
        if (!body.IsEmpty && EventRules.IsJsonMediaType(contentType) && contentType is not null && !System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            throw new CloudEventFormatException("data", "is JSON (datacontenttype '" + contentType + "') but not valid UTF-8");
        }

        // JSON data (also when no Content-Type says otherwise) is checked as structured mode checks it: a lone surrogate
        // would be served as JSON that no reader decodes, and would break filters and transformers that read it.
        if (!body.IsEmpty && EventRules.IsJsonMediaType(contentType) && JsonEventFormat.CheckJsonText(body.Span) is { } jsonRule)
        {
            throw new CloudEventFormatException("data", jsonRule);
        }

        return new Event(id, source, type)
        {
            DataContentType = contentType,
            DataSchema = schema,
            Subject = subject,
            Time = time,
            Extensions = extensions is null ? default : new ExtensionAttributes([.. extensions]),
            // An empty body carries no data, as the HTTP binding's SDKs read it.
            // The cast matters: a null array would otherwise convert to an empty (present) ReadOnlyMemory.
            Data = body.IsEmpty ? (ReadOnlyMemory<byte>?)null : body.ToArray(),
        };
    }

    /// <summary>The <c>ce-</c> headers of a binary-mode message for <paramref name="e"/>, values percent-encoded; the content type goes separately.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> EncodeBinaryHeaders(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var headers = new List<KeyValuePair<string, string>>(6 + e.Extensions.Count)
        {
            new("ce-specversion", EventRules.SpecVersion),
            new("ce-id", HeaderValueEncoding.Encode(e.Id)),
            new("ce-source", HeaderValueEncoding.Encode(e.Source)),
            new("ce-type", HeaderValueEncoding.Encode(e.Type)),
        };
        if (e.DataSchema is { } schema)
        {
            headers.Add(new("ce-dataschema", HeaderValueEncoding.Encode(schema)));
        }

        if (e.Subject is { } subject)
        {
            headers.Add(new("ce-subject", HeaderValueEncoding.Encode(subject)));
        }

        if (e.Time is { } time)
        {
            headers.Add(new("ce-time", Rfc3339.Format(time)));
        }

        foreach (var (name, value) in e.Extensions)
        {
            headers.Add(new(HeaderPrefix + name, HeaderValueEncoding.Encode(value.ToString())));
        }

        return headers;
    }

    /// <summary>Builds the HTTP content of one event in binary or structured mode.</summary>
    public static HttpContent ToHttpContent(Event e, ContentMode mode = ContentMode.Binary)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (mode)
        {
            case ContentMode.Structured:
                return Json(JsonEventFormat.Encode(e), JsonEventFormat.StructuredMediaType);
            case ContentMode.Batch:
                return ToHttpContent([e]);
            default:
                var content = new ByteArrayContent(e.Data is { } d ? d.ToArray() : []);
                if (e.DataContentType is { } ct)
                {
                    content.Headers.TryAddWithoutValidation("Content-Type", ct);
                }

                foreach (var (name, value) in EncodeBinaryHeaders(e))
                {
                    content.Headers.TryAddWithoutValidation(name, value);
                }

                return content;
        }
    }

    /// <summary>Builds the HTTP content of a batch.</summary>
    public static HttpContent ToHttpContent(IEnumerable<Event> events) => Json(JsonEventFormat.EncodeBatch(events), JsonEventFormat.BatchMediaType);

    /// <summary>Reads the events of received HTTP content (headers of the message and of the content both count in binary mode).</summary>
    public static async Task<IReadOnlyList<Event>> ReadEventsAsync(HttpContent content, HttpHeaders? messageHeaders = null, EventReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var contentType = content.Headers.TryGetValues("Content-Type", out var ctValues) ? string.Join(",", ctValues) : null;
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = content.Headers.NonValidated.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value));
        if (messageHeaders is not null)
        {
            headers = headers.Concat(messageHeaders.NonValidated.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value)));
        }

        return Decode(contentType, headers, body, options);
    }

    private static ByteArrayContent Json(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    private static string NonEmpty(string value, string name) =>
        value.Length > 0 ? value : throw new CloudEventFormatException(name, "must not be empty");

    private static string Essence(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
    }
}
