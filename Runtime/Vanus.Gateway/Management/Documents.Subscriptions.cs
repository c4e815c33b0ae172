using System.Text;
using System.Text.Json;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>The subscription documents of DESIGN §6: the subscription itself and the bodies of reset, resend and ack.</summary>
internal static partial class Documents
{
    private const string TimeExample = "2026-11-27T16:00:00Z";

    private static readonly string[] DocumentFields =
        ["name", "eventbus", SubscriptionFields.Sink, SubscriptionFields.Filters, SubscriptionFields.Transformer, SubscriptionFields.Delay, SubscriptionFields.Protocol, SubscriptionFields.Mode, SubscriptionFields.SinkHeaders, SubscriptionFields.Delivery, SubscriptionFields.From];

    private static readonly string[] DeliveryFields = [SubscriptionFields.MaxAttempts, SubscriptionFields.Backoff, SubscriptionFields.Timeout, SubscriptionFields.DeadLetter, SubscriptionFields.Ordered, SubscriptionFields.Inflight, SubscriptionFields.RateLimit];

    // The node sets these on every delivery; a subscription that set them too would send contradictory or broken requests.
    private static readonly string[] NodeSetHeaders = ["content-type", "content-length", "host", "transfer-encoding"];

    /// <summary>
    /// Reads a subscription document with the defaults of DESIGN §6 for what it leaves out. With <paramref name="pathName"/>
    /// (a PUT to that name), the document's name may be left out but must otherwise be the same.
    /// </summary>
    public static SubscriptionSpec ReadSubscription(ReadOnlySpan<byte> json, string? pathName = null)
    {
        var reader = Start(json);
        string? name = null, eventbus = null, sink = null, filters = null, transformer = null;
        TimeSpan? delay = null;
        SinkProtocol? protocol = null;
        SinkMode? mode = null;
        Dictionary<string, string>? headers = null;
        DeliveryPolicy? delivery = null;
        SubscriptionStart? from = null;
        try
        {
            ReadObject(ref reader, null, DocumentFields, (ref Utf8JsonReader r, string field) =>
            {
                switch (field)
                {
                    case "name": name = ReadName(ref r, field); break;
                    case "eventbus": eventbus = ReadEventbusName(ref r, field); break;
                    case SubscriptionFields.Sink: sink = ReadSink(ref r, field); break;
                    case SubscriptionFields.Filters: filters = ReadFilters(ref r); break;
                    case SubscriptionFields.Transformer: transformer = ReadTransformer(ref r); break;
                    case SubscriptionFields.Delay: delay = ReadDuration(ref r, field); break;
                    case SubscriptionFields.Protocol: protocol = ReadProtocol(ref r, field); break;
                    case SubscriptionFields.Mode: mode = ReadMode(ref r, field); break;
                    case SubscriptionFields.SinkHeaders: headers = ReadSinkHeaders(ref r, field); break;
                    case SubscriptionFields.Delivery: delivery = ReadDelivery(ref r, field); break;
                    case SubscriptionFields.From: from = ReadFrom(ref r, field); break;
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        if (pathName is not null && name is not null && name != pathName)
        {
            throw FieldException.Document("name", $"is '{name}' but the path names subscription '{pathName}'; a subscription cannot be renamed (leave name out or make it match)");
        }

        name ??= pathName ?? throw FieldException.Document("name", "is required");
        if (eventbus is null)
        {
            throw FieldException.Document("eventbus", "is required: the name of the eventbus to subscribe to");
        }

        var pull = protocol == SinkProtocol.Pull;
        if (pull && sink is not null)
        {
            throw FieldException.Document(SubscriptionFields.Sink, "is not taken by a pull subscription (protocol 'pull'): its consumers fetch events from the subscription's pull endpoint");
        }

        if (!pull && sink is null)
        {
            throw FieldException.Document(SubscriptionFields.Sink, "is required (an absolute http or https URL) unless protocol is 'pull'");
        }

        if (pull && headers is { Count: > 0 })
        {
            throw FieldException.Document(SubscriptionFields.SinkHeaders, "is not taken by a pull subscription (protocol 'pull'): nothing is sent to a sink");
        }

        var spec = new SubscriptionSpec(name, eventbus);
        return spec with
        {
            Sink = sink,
            Filters = filters,
            Transformer = transformer,
            Delay = delay ?? spec.Delay,
            Protocol = protocol ?? spec.Protocol,
            Mode = mode ?? spec.Mode,
            SinkHeaders = headers ?? spec.SinkHeaders,
            Delivery = delivery ?? spec.Delivery,
            From = from ?? spec.From,
        };
    }

    /// <summary>Reads <c>{"time":"..."}</c>, the body of a reset.</summary>
    public static DateTimeOffset ReadResetTime(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        DateTimeOffset? time = null;
        try
        {
            ReadObject(ref reader, null, ["time"], (ref Utf8JsonReader r, string field) => time = ReadTime(ref r, field));
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        return time ?? throw FieldException.Document("time", $"is required: the RFC 3339 time to move the subscription to, such as {TimeExample}");
    }

    /// <summary>Reads the body of a dead-letter resend: empty or <c>{}</c> for all, or <c>{"eventlog":0,"from":10,"to":20}</c> (offsets inclusive).</summary>
    public static DeadLetterSelection ReadResend(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return new DeadLetterSelection();
        }

        var reader = Start(json);
        int? eventlog = null;
        long? from = null, to = null;
        try
        {
            ReadObject(ref reader, null, ["eventlog", SubscriptionFields.From, "to"], (ref Utf8JsonReader r, string field) =>
            {
                switch (field)
                {
                    case "eventlog": eventlog = ReadInt(ref r, field, 0, MaxEventlogs - 1); break;
                    case SubscriptionFields.From: from = ReadOffset(ref r, field); break;
                    case "to": to = ReadOffset(ref r, field); break;
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        if (eventlog is null && (from is not null || to is not null))
        {
            throw FieldException.Document(from is not null ? SubscriptionFields.From : "to", "selects offsets of one dead-letter eventlog, so eventlog is required with it");
        }

        if (from > to)
        {
            throw FieldException.Document("to", $"must not be below from (from {from}, to {to})");
        }

        return new DeadLetterSelection(eventlog, from, to);
    }

    /// <summary>Reads <c>{"tokens":["..."]}</c>, the body of an ack.</summary>
    public static IReadOnlyList<string> ReadAck(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        List<string>? tokens = null;
        try
        {
            ReadObject(ref reader, null, ["tokens"], (ref Utf8JsonReader r, string field) =>
            {
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    throw FieldException.Document(field, $"must be a JSON array of the tokens pull answered (got {Describe(r.TokenType)})");
                }

                tokens = [];
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    var item = $"{field}[{tokens.Count}]";
                    var token = ReadString(ref r, item);
                    tokens.Add(token.Length > 0 ? token : throw FieldException.Document(item, "must not be empty"));
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        return tokens ?? throw FieldException.Document("tokens", "is required: the tokens of the pulled events to acknowledge");
    }

    public static string ProtocolName(SinkProtocol protocol) => protocol switch
    {
        SinkProtocol.Http => "http",
        SinkProtocol.Pull => "pull",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown sink protocol."),
    };

    public static string ModeName(SinkMode mode) => mode switch
    {
        SinkMode.Binary => "binary",
        SinkMode.Structured => "structured",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown sink mode."),
    };

    public static string StartName(SubscriptionStart start) => start.Kind switch
    {
        SubscriptionStartKind.Earliest => "earliest",
        SubscriptionStartKind.Latest => "latest",
        SubscriptionStartKind.Time when start.Time is { } time => Rfc3339.Format(time),
        _ => throw new ArgumentOutOfRangeException(nameof(start), start, "Unknown subscription start."),
    };

    public static string StateName(SubscriptionState state) => state switch
    {
        SubscriptionState.Running => "running",
        SubscriptionState.Paused => "paused",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown subscription state."),
    };

    /// <summary>Why <paramref name="name"/> cannot be a <c>sinkHeaders</c> name, or null when it can.</summary>
    public static string? CheckSinkHeader(string name)
    {
        if (name.Length == 0)
        {
            return "is not a header name: it is empty";
        }

        foreach (var c in name)
        {
            if (!IsTokenChar(c))
            {
                return $"is not a valid HTTP header name: '{c}' is not allowed (a name is letters, digits and !#$%&'*+-.^_`|~)";
            }
        }

        if (name.StartsWith(HttpBinding.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return "is refused: ce- headers carry the event's CloudEvents attributes, which the node sets on each delivery";
        }

        foreach (var reserved in NodeSetHeaders)
        {
            if (name.Equals(reserved, StringComparison.OrdinalIgnoreCase))
            {
                return $"is refused: the node sets {reserved} on each delivery";
            }
        }

        return null;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string ReadEventbusName(ref Utf8JsonReader reader, string field)
    {
        var name = ReadString(ref reader, field);
        // A subscription may read a dead-letter bus (to handle dead letters), whose name users cannot give a bus they create.
        var rule = EventbusNames.IsDeadLetter(name) ? EventbusNames.Check(name[EventbusNames.DeadLetterPrefix.Length..]) : EventbusNames.Check(name);
        return rule is null ? name : throw FieldException.Document(field, rule);
    }

    private static string ReadSink(ref Utf8JsonReader reader, string field)
    {
        var text = ReadString(ref reader, field);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw FieldException.Document(field, $"must be an absolute http or https URL such as http://127.0.0.1:9000/hook (got '{text}')");
        }

        return text;
    }

    private static string ReadFilters(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            SubscriptionFilter.Parse(document.RootElement);
        }
        catch (FilterDefinitionException e)
        {
            throw FieldException.Document(e.Path, e.Reason);
        }

        return document.RootElement.GetRawText();
    }

    private static string ReadTransformer(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            Transformer.Parse(document.RootElement);
        }
        catch (TransformerDefinitionException e)
        {
            throw FieldException.Document(TransformerField(e.Location), e.Action is { } action && !e.Reason.Contains(action, StringComparison.Ordinal) ? $"{action}: {e.Reason}" : e.Reason);
        }

        return document.RootElement.GetRawText();
    }

    /// <summary>The document path of a transformer fault: its location (<c>pipeline[2] (MATH_ADD)</c>) without the action, under <c>transformer</c>.</summary>
    private static string TransformerField(string location)
    {
        var cut = location.IndexOf(" (", StringComparison.Ordinal);
        var path = cut < 0 ? location : location[..cut];
        return path == "document" ? SubscriptionFields.Transformer : "transformer." + path;
    }

    private static TimeSpan ReadDuration(ref Utf8JsonReader reader, string field)
    {
        var text = ReadString(ref reader, field);
        return Units.TryParseDuration(text, out var value, out var error) ? value : throw FieldException.Document(field, $"must be a duration: {error}");
    }

    private static DateTimeOffset ReadTime(ref Utf8JsonReader reader, string field)
    {
        var text = ReadString(ref reader, field);
        return Rfc3339.TryParse(text, out var time, out var error)
            ? time
            : throw FieldException.Document(field, $"must be an RFC 3339 time such as {TimeExample}: '{text}' {error}");
    }

    private static SinkProtocol ReadProtocol(ref Utf8JsonReader reader, string field) => ReadString(ref reader, field) switch
    {
        "http" => SinkProtocol.Http,
        "pull" => SinkProtocol.Pull,
        var other => throw FieldException.Document(field, $"must be 'http' or 'pull' (got '{other}')"),
    };

    private static SinkMode ReadMode(ref Utf8JsonReader reader, string field) => ReadString(ref reader, field) switch
    {
        "binary" => SinkMode.Binary,
        "structured" => SinkMode.Structured,
        var other => throw FieldException.Document(field, $"must be 'binary' or 'structured' (got '{other}')"),
    };

    private static SubscriptionStart ReadFrom(ref Utf8JsonReader reader, string field)
    {
        var text = ReadString(ref reader, field);
        switch (text)
        {
            case "earliest": return SubscriptionStart.Earliest;
            case "latest": return SubscriptionStart.Latest;
        }

        return Rfc3339.TryParse(text, out var time, out var error)
            ? SubscriptionStart.At(time)
            : throw FieldException.Document(field, $"must be 'earliest', 'latest' or an RFC 3339 time such as {TimeExample} (got '{text}', which {error})");
    }

    private static Dictionary<string, string> ReadSinkHeaders(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw FieldException.Document(field, $"must be a JSON object of header names and string values (got {Describe(reader.TokenType)})");
        }

        // Header names are case-insensitive, so two spellings of one name would be one header sent twice.
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            var header = $"{field}.{name}";
            reader.Read();
            if (CheckSinkHeader(name) is { } rule)
            {
                throw FieldException.Document(header, rule);
            }

            var value = ReadString(ref reader, header);
            foreach (var c in value)
            {
                if ((c < ' ' && c != '\t') || c == '\x7f')
                {
                    throw FieldException.Document(header, $"must not hold control characters such as line breaks (found U+{(int)c:X4})");
                }
            }

            if (!headers.TryAdd(name, value))
            {
                throw FieldException.Document(header, "appears twice (header names are case-insensitive)");
            }
        }

        return headers;
    }

    private static DeliveryPolicy ReadDelivery(ref Utf8JsonReader reader, string field)
    {
        var policy = DeliveryPolicy.Default;
        ReadObject(ref reader, field, DeliveryFields, (ref Utf8JsonReader r, string f) =>
        {
            policy = f[(field.Length + 1)..] switch
            {
                SubscriptionFields.MaxAttempts => policy with { MaxAttempts = ReadInt32(ref r, f) },
                SubscriptionFields.Backoff => policy with { Backoff = ReadDurations(ref r, f) },
                SubscriptionFields.Timeout => policy with { Timeout = ReadDuration(ref r, f) },
                SubscriptionFields.DeadLetter => policy with { DeadLetter = ReadBool(ref r, f) },
                SubscriptionFields.Ordered => policy with { Ordered = ReadBool(ref r, f) },
                SubscriptionFields.Inflight => policy with { Inflight = ReadInt32(ref r, f) },
                SubscriptionFields.RateLimit => policy with { RateLimit = ReadNumber(ref r, f) },
                _ => policy,
            };
        });
        return policy.Check() is { } problem ? throw FieldException.Document($"{field}.{problem.Field}", problem.Reason) : policy;
    }

    private static TimeSpan[] ReadDurations(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw FieldException.Document(field, $"must be a JSON array of durations such as [\"1s\",\"5s\"] (got {Describe(reader.TokenType)})");
        }

        var durations = new List<TimeSpan>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            durations.Add(ReadDuration(ref reader, $"{field}[{durations.Count}]"));
        }

        return [.. durations];
    }

    private static bool ReadBool(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        var other => throw FieldException.Document(field, $"must be true or false (got {Describe(other)})"),
    };

    private static int ReadInt32(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw FieldException.Document(field, $"must be a whole number (got {Describe(reader.TokenType)})");
        }

        if (!reader.TryGetInt64(out var value))
        {
            throw FieldException.Document(field, $"must be a whole number (got {Encoding.UTF8.GetString(reader.ValueSpan)})");
        }

        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw FieldException.Document(field, $"is out of range (got {value})");
    }

    private static double ReadNumber(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw FieldException.Document(field, $"must be a number (got {Describe(reader.TokenType)})");
        }

        return reader.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw FieldException.Document(field, $"must be a finite number (got {Encoding.UTF8.GetString(reader.ValueSpan)})");
    }

    private static long ReadOffset(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw FieldException.Document(field, $"must be a whole number (got {Describe(reader.TokenType)})");
        }

        if (!reader.TryGetInt64(out var value))
        {
            throw FieldException.Document(field, $"must be a whole number (got {Encoding.UTF8.GetString(reader.ValueSpan)})");
        }

        return value >= 0 ? value : throw FieldException.Document(field, $"must be at least 0 (got {value})");
    }
}
