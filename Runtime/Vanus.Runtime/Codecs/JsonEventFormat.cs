using System.Buffers;
using System.Text;
using System.Text.Json;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Codecs;

/// <summary>The CloudEvents JSON event format: structured events and batches, read strictly and written canonically.</summary>
public static class JsonEventFormat
{
    /// <summary>The media type of a structured JSON CloudEvent.</summary>
    public const string StructuredMediaType = "application/cloudevents+json";

    /// <summary>The media type of a JSON batch of CloudEvents.</summary>
    public const string BatchMediaType = "application/cloudevents-batch+json";

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>Reads one structured-mode event from UTF-8 JSON; throws <see cref="CloudEventFormatException"/> naming the attribute and rule.</summary>
    public static Event Decode(ReadOnlySpan<byte> utf8Json, EventReadOptions? options = null)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        try
        {
            Read(ref reader);
            var e = ReadEvent(ref reader, utf8Json, options ?? EventReadOptions.Default);
            if (reader.Read())
            {
                throw new CloudEventFormatException(null, "has content after the end of the JSON object");
            }

            return e;
        }
        catch (JsonException ex)
        {
            throw new CloudEventFormatException(null, $"is not valid JSON ({ex.Message})", inner: ex);
        }
    }

    /// <summary>Reads a JSON batch (an array of structured events); all or nothing, and errors name the index.</summary>
    public static IReadOnlyList<Event> DecodeBatch(ReadOnlySpan<byte> utf8Json, EventReadOptions? options = null)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        var events = new List<Event>();
        options ??= EventReadOptions.Default;
        try
        {
            Read(ref reader);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new CloudEventFormatException(null, "batch must be a JSON array of events");
            }

            while (true)
            {
                Read(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                try
                {
                    events.Add(ReadEvent(ref reader, utf8Json, options));
                }
                catch (CloudEventFormatException e)
                {
                    throw e.AtIndex(events.Count);
                }
            }

            if (reader.Read())
            {
                throw new CloudEventFormatException(null, "batch has content after the end of the JSON array");
            }
        }
        catch (JsonException ex)
        {
            throw new CloudEventFormatException(null, $"batch is not valid JSON ({ex.Message})", events.Count, ex);
        }

        return events;
    }

    /// <summary>Writes one event as a structured JSON object.</summary>
    public static void Encode(Event e, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var writer = new Utf8JsonWriter(output);
        Write(writer, e);
    }

    /// <summary>Writes one event as a structured JSON object and returns its bytes.</summary>
    public static byte[] Encode(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(e, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes events as a JSON batch.</summary>
    public static void EncodeBatch(IEnumerable<Event> events, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartArray();
        foreach (var e in events)
        {
            Write(writer, e);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes events as a JSON batch and returns its bytes.</summary>
    public static byte[] EncodeBatch(IEnumerable<Event> events)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        EncodeBatch(events, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one event as a JSON object through an existing writer (used inside larger documents).</summary>
    public static void Write(Utf8JsonWriter writer, Event e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(e);
        writer.WriteStartObject();
        writer.WriteString("specversion"u8, EventRules.SpecVersion);
        writer.WriteString("id"u8, e.Id);
        writer.WriteString("source"u8, e.Source);
        writer.WriteString("type"u8, e.Type);
        if (e.DataContentType is { } ct)
        {
            writer.WriteString("datacontenttype"u8, ct);
        }

        if (e.DataSchema is { } ds)
        {
            writer.WriteString("dataschema"u8, ds);
        }

        if (e.Subject is { } subject)
        {
            writer.WriteString("subject"u8, subject);
        }

        if (e.Time is { } time)
        {
            writer.WriteString("time"u8, Rfc3339.Format(time));
        }

        foreach (var (name, value) in e.Extensions)
        {
            switch (value.Kind)
            {
                case AttributeKind.Integer: writer.WriteNumber(name, value.AsInteger); break;
                case AttributeKind.Boolean: writer.WriteBoolean(name, value.AsBoolean); break;
                default: writer.WriteString(name, value.ToString()); break;
            }
        }

        if (e.Data is { } data)
        {
            WriteData(writer, e, data.Span);
        }

        writer.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter writer, Event e, ReadOnlySpan<byte> data)
    {
        if (e.IsJsonData && IsSingleJsonValue(data))
        {
            writer.WritePropertyName("data"u8);
            writer.WriteRawValue(data, skipInputValidation: true);
        }
        else if (!e.IsJsonData && EventRules.IsTextMediaType(e.DataContentType) && System.Text.Unicode.Utf8.IsValid(data))
        {
            writer.WriteString("data"u8, data);
        }
        else
        {
            writer.WriteBase64String("data_base64"u8, data);
        }
    }

    /// <summary>
    /// For data that is one JSON value: the reason it cannot be served as JSON text (an escaped string that is not valid
    /// Unicode, such as a lone surrogate), or null. Data that is not JSON at all is left alone: it is written as base64.
    /// </summary>
    public static string? CheckJsonText(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !System.Text.Unicode.Utf8.IsValid(data))
        {
            return null;
        }

        // One pass: a second root value or a syntax error ends it as not JSON, as IsSingleJsonValue would say.
        var reader = new Utf8JsonReader(data, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                CheckEscaped(ref reader);
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (CloudEventFormatException e)
        {
            return e.Rule;
        }

        return null;
    }

    private static bool IsSingleJsonValue(ReadOnlySpan<byte> data)
    {
        // Bytes that are not UTF-8 are never written out as JSON text, whatever a reader makes of them.
        if (data.IsEmpty || !System.Text.Unicode.Utf8.IsValid(data))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(data, ReaderOptions);
            if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
            {
                // "data": null reads back as no data at all (the format's rule for a null member): the four bytes of a
                // JSON null go as base64, so they come back.
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new CloudEventFormatException(null, "ends before the JSON is complete");
        }
    }

    private static Event ReadEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, EventReadOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CloudEventFormatException(null, "must be a JSON object");
        }

        string? specVersion = null, id = null, source = null, type = null, contentType = null, schema = null, subject = null;
        DateTimeOffset? time = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        List<KeyValuePair<string, AttributeValue>>? extensions = null;
        var dataStart = -1;
        var dataEnd = -1;
        var dataToken = JsonTokenType.None;
        string? dataBase64 = null;
        var hasData = false;

        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var name = Text(ref reader, null);
            if (!seen.Add(name))
            {
                throw new CloudEventFormatException(name, "appears twice");
            }

            Read(ref reader);
            switch (name)
            {
                case "specversion": specVersion = ReadString(ref reader, name, required: true); break;
                case "id": id = ReadString(ref reader, name, required: true); break;
                case "source": source = ReadString(ref reader, name, required: true); break;
                case "type": type = ReadString(ref reader, name, required: true); break;
                case "datacontenttype": contentType = ReadString(ref reader, name, required: false); break;
                case "dataschema": schema = ReadString(ref reader, name, required: false); break;
                case "subject": subject = ReadString(ref reader, name, required: false); break;
                case "time":
                    var timeText = ReadString(ref reader, name, required: false);
                    if (timeText is not null)
                    {
                        time = Rfc3339.TryParse(timeText, out var t, out var why) ? t : throw new CloudEventFormatException("time", $"must be an RFC 3339 timestamp: '{timeText}' {why}");
                    }

                    break;
                case "data":
                    dataToken = reader.TokenType;
                    if (dataToken != JsonTokenType.Null)
                    {
                        hasData = true;
                        dataStart = (int)reader.TokenStartIndex;
                        SkipData(ref reader);
                        dataEnd = (int)reader.BytesConsumed;
                    }

                    break;
                case "data_base64":
                    dataBase64 = ReadString(ref reader, name, required: false);
                    break;
                default:
                    var value = ReadExtension(ref reader, name, options);
                    if (value is { } v)
                    {
                        (extensions ??= []).Add(new(name, v));
                    }

                    break;
            }
        }

        if (specVersion is null)
        {
            throw new CloudEventFormatException("specversion", "is required");
        }

        if (specVersion != EventRules.SpecVersion)
        {
            throw new CloudEventFormatException("specversion", $"must be '{EventRules.SpecVersion}' (got '{specVersion}')");
        }

        Require(id, "id");
        Require(source, "source");
        Require(type, "type");
        if (EventRules.CheckUriReference(source!) is { } sourceRule)
        {
            throw new CloudEventFormatException("source", sourceRule);
        }

        if (contentType is not null && EventRules.CheckMediaType(contentType) is { } ctRule)
        {
            throw new CloudEventFormatException("datacontenttype", ctRule);
        }

        if (schema is not null && EventRules.CheckUri(schema) is { } schemaRule)
        {
            throw new CloudEventFormatException("dataschema", schemaRule);
        }

        if (subject is { Length: 0 })
        {
            throw new CloudEventFormatException("subject", "must not be empty when present");
        }

        if (hasData && dataBase64 is not null)
        {
            throw new CloudEventFormatException("data", "and 'data_base64' must not both be present");
        }

        ReadOnlyMemory<byte>? data = null;
        if (dataBase64 is not null)
        {
            try
            {
                data = Convert.FromBase64String(dataBase64);
            }
            catch (FormatException ex)
            {
                throw new CloudEventFormatException("data_base64", "must be base64 (RFC 4648)", inner: ex);
            }
        }
        else if (hasData)
        {
            var raw = input[dataStart..dataEnd];
            if (EventRules.IsJsonMediaType(contentType))
            {
                // Stored as the JSON text it is, and served as such: text that is not UTF-8 would be served unreadable.
                if (!System.Text.Unicode.Utf8.IsValid(raw))
                {
                    throw new CloudEventFormatException("data", InvalidText);
                }

                data = raw.ToArray();
            }
            else if (dataToken == JsonTokenType.String)
            {
                var inner = new Utf8JsonReader(raw);
                inner.Read();
                data = Encoding.UTF8.GetBytes(Text(ref inner, "data"));
            }
            else
            {
                throw new CloudEventFormatException("data", $"must be a JSON string when datacontenttype '{contentType}' is not JSON");
            }
        }

        return new Event(id!, source!, type!)
        {
            DataContentType = contentType,
            DataSchema = schema,
            Subject = subject,
            Time = time,
            Extensions = extensions is null ? default : new ExtensionAttributes([.. extensions]),
            Data = data,
        };
    }

    private static void Require(string? value, string name)
    {
        if (value is null)
        {
            throw new CloudEventFormatException(name, "is required");
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name, bool required)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var s = Text(ref reader, name);
                if (s.Length == 0)
                {
                    throw new CloudEventFormatException(name, "must not be empty");
                }

                return EventRules.CheckText(s) is { } rule ? throw new CloudEventFormatException(name, rule) : s;
            case JsonTokenType.Null when !required:
                return null;
            case JsonTokenType.Null:
                throw new CloudEventFormatException(name, "is required and must not be null");
            default:
                throw new CloudEventFormatException(name, $"must be a JSON string (got {Describe(reader.TokenType)})");
        }
    }

    private static AttributeValue? ReadExtension(ref Utf8JsonReader reader, string name, EventReadOptions options)
    {
        if (EventRules.CheckAttributeName(name) is { } rule)
        {
            throw new CloudEventFormatException(name, rule);
        }

        var declared = options.TryGetType(name, out var kind);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True or JsonTokenType.False:
                if (declared && kind != AttributeKind.Boolean)
                {
                    throw new CloudEventFormatException(name, $"must be {kind}, not a boolean");
                }

                return AttributeValue.FromBoolean(reader.GetBoolean());
            case JsonTokenType.Number:
                if (!reader.TryGetInt32(out var i))
                {
                    throw new CloudEventFormatException(name, "must be a 32-bit integer when it is a JSON number");
                }

                if (declared && kind != AttributeKind.Integer)
                {
                    throw new CloudEventFormatException(name, $"must be {kind}, not a number");
                }

                return AttributeValue.FromInteger(i);
            case JsonTokenType.String:
                var text = Text(ref reader, name);
                if (EventRules.CheckText(text) is { } textRule)
                {
                    throw new CloudEventFormatException(name, textRule);
                }

                return declared ? EventReadOptions.ParseTyped(name, kind, text) : AttributeValue.FromString(text);
            default:
                throw new CloudEventFormatException(name, $"must be a string, number or boolean (got {Describe(reader.TokenType)})");
        }
    }

    private const string InvalidText = "is not valid Unicode text (invalid UTF-8, or an escaped lone surrogate)";

    /// <summary>A string token's text; text that does not decode (invalid UTF-8, a lone surrogate) is refused, naming <paramref name="name"/> (null: a member name).</summary>
    private static string Text(ref Utf8JsonReader reader, string? name)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new CloudEventFormatException(name, name is null ? "has a member name that " + InvalidText : InvalidText, inner: ex);
        }
    }

    /// <summary>
    /// Moves past the data value (the reader on its first token), as <see cref="Utf8JsonReader.Skip"/> does, refusing an
    /// escaped string in it that is not valid Unicode: such text would be stored and then served as JSON no reader decodes.
    /// </summary>
    private static void SkipData(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            CheckEscaped(ref reader);
            return;
        }

        var depth = reader.CurrentDepth;
        do
        {
            Read(ref reader);
            CheckEscaped(ref reader);
        }
        while (reader.CurrentDepth > depth);
    }

    private static void CheckEscaped(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
        {
            Text(ref reader, "data");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
