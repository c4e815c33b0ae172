using System.Globalization;
using System.Text;
using System.Text.Json;
using Vanus.Client;

namespace Vanus.Cli.Client;

/// <summary>A stored event as the CLI prints it: every attribute as text, in the order the node sent them, and its data.</summary>
internal sealed record EventView(IReadOnlyList<KeyValuePair<string, string>> Attributes, byte[]? Data, bool DataIsText)
{
    public string? this[string name] => Attributes.FirstOrDefault(a => a.Key == name).Value;
}

/// <summary>The eventlog and first offset at or after a time.</summary>
internal sealed record OffsetView(int Eventlog, long Offset);

/// <summary>
/// Reads the node's 2xx bodies into views. Where DESIGN §6 fixes a shape it is required; where it leaves the envelope
/// open (a list as a bare array or wrapped in an object) both forms are read, so the CLI does not break on either.
/// </summary>
internal static class ContractReader
{
    public static IReadOnlyList<EventbusDocument> ReadEventbusList(ApiAnswer reply)
    {
        using var document = Parse(reply, "an eventbus list");
        var list = Unwrap(document.RootElement, "eventbuses", "an eventbus list", reply);
        var result = new List<EventbusDocument>();
        foreach (var item in list.EnumerateArray())
        {
            result.Add(item.Deserialize(CliJsonContext.Default.EventbusDocument) ?? throw Unexpected(reply, "an eventbus list with a null entry"));
        }

        return result;
    }

    public static EventbusDocument ReadEventbus(ApiAnswer reply)
    {
        try
        {
            return JsonSerializer.Deserialize(reply.Body, CliJsonContext.Default.EventbusDocument) ?? throw Unexpected(reply, "an eventbus document");
        }
        catch (JsonException e)
        {
            throw Unexpected(reply, $"an eventbus document ({e.Message})");
        }
    }

    public static IngestReply ReadIngestReply(ApiAnswer reply)
    {
        try
        {
            var result = JsonSerializer.Deserialize(reply.Body, CliJsonContext.Default.IngestReply);
            return result?.Events is null ? throw Unexpected(reply, "{\"events\":[...]}") : result;
        }
        catch (JsonException e)
        {
            throw Unexpected(reply, $"{{\"events\":[...]}} ({e.Message})");
        }
    }

    public static SubscriptionDocument ReadSubscription(ApiAnswer reply) =>
        Deserialize(reply, CliJsonContext.Default.SubscriptionDocument, "a subscription document");

    public static IReadOnlyList<SubscriptionDocument> ReadSubscriptionList(ApiAnswer reply)
    {
        using var document = Parse(reply, "a subscription list");
        var list = Unwrap(document.RootElement, "subscriptions", "a subscription list", reply);
        var result = new List<SubscriptionDocument>();
        foreach (var item in list.EnumerateArray())
        {
            try
            {
                result.Add(item.Deserialize(CliJsonContext.Default.SubscriptionDocument) ?? throw Unexpected(reply, "a subscription list with a null entry"));
            }
            catch (JsonException e)
            {
                throw Unexpected(reply, $"a subscription list ({e.Message})");
            }
        }

        return result;
    }

    /// <summary>Reads a dry run's answer; its events (structured CloudEvents) as views.</summary>
    public static (ValidationDocument Result, IReadOnlyList<EventView> Events) ReadValidation(ApiAnswer reply)
    {
        var result = Deserialize(reply, CliJsonContext.Default.ValidationDocument, "a validation result {\"filterPassed\",\"delivered\",\"events\",\"error\"}");
        if (result.FilterPassed is null)
        {
            throw Unexpected(reply, "a validation result with 'filterPassed'");
        }

        return (result, [.. (result.Events ?? []).Select(e => ReadEvent(e, reply))]);
    }

    public static TokenDocument ReadToken(ApiAnswer reply) => Deserialize(reply, CliJsonContext.Default.TokenDocument, "a token document");

    public static IReadOnlyList<TokenDocument> ReadTokenList(ApiAnswer reply) => Deserialize(reply, CliJsonContext.Default.ListTokenDocument, "a token list");

    public static long ReadResent(ApiAnswer reply) =>
        Deserialize(reply, CliJsonContext.Default.ResendReply, "{\"resent\":N}").Resent ?? throw Unexpected(reply, "{\"resent\":N}");

    private static T Deserialize<T>(ApiAnswer reply, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(reply.Body, type) ?? throw Unexpected(reply, what);
        }
        catch (JsonException e)
        {
            throw Unexpected(reply, $"{what} ({e.Message})");
        }
    }

    /// <summary>Reads a problem document, or null when the body is not one (an HTML error page from a proxy, say).</summary>
    public static ProblemDocument? TryReadProblem(ApiAnswer reply)
    {
        if (!(reply.Body.Length > 0))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(reply.Body, CliJsonContext.Default.ProblemDocument);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads events: a JSON array (the batch format) or one structured event.</summary>
    public static IReadOnlyList<EventView> ReadEvents(ApiAnswer reply)
    {
        using var document = Parse(reply, "CloudEvents");
        var root = document.RootElement;
        var result = new List<EventView>();
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                result.Add(ReadEvent(item, reply));
            }
        }
        else
        {
            result.Add(ReadEvent(root, reply));
        }

        return result;
    }

    /// <summary>
    /// Reads the answer of <c>offsets?time=</c>: a list (bare or under <c>offsets</c>) of either plain offsets indexed by
    /// eventlog, or objects with <c>eventlog</c> (or <c>id</c>) and <c>offset</c>.
    /// </summary>
    public static IReadOnlyList<OffsetView> ReadOffsets(ApiAnswer reply)
    {
        using var document = Parse(reply, "offsets");
        var list = Unwrap(document.RootElement, "offsets", "offsets", reply);
        var result = new List<OffsetView>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.Number when item.TryGetInt64(out var offset):
                    result.Add(new OffsetView(index, offset));
                    break;
                case JsonValueKind.Object:
                    var eventlog = Member(item, "eventlog") ?? Member(item, "id");
                    var at = Member(item, "offset");
                    if (eventlog is not { ValueKind: JsonValueKind.Number } e || at is not { ValueKind: JsonValueKind.Number } o)
                    {
                        throw Unexpected(reply, "offsets as {\"eventlog\":N,\"offset\":N} objects");
                    }

                    result.Add(new OffsetView(e.GetInt32(), o.GetInt64()));
                    break;
                default:
                    throw Unexpected(reply, "offsets as numbers or {\"eventlog\":N,\"offset\":N} objects");
            }

            index++;
        }

        return result;
    }

    /// <summary>Prints a JSON value as a table cell: strings bare, null as "-", objects as name=value pairs (nulls left out), anything else as JSON.</summary>
    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "-",
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => $"{p.Name}={Cell(p.Value)}")),
        _ => value.GetRawText(),
    };

    private static EventView ReadEvent(JsonElement item, ApiAnswer reply)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Unexpected(reply, "CloudEvents as JSON objects");
        }

        var attributes = new List<KeyValuePair<string, string>>();
        byte[]? data = null;
        var isText = false;
        foreach (var member in item.EnumerateObject())
        {
            switch (member.Name)
            {
                case "data":
                    // A JSON value is shown as its JSON text; a string as the string itself.
                    data = Encoding.UTF8.GetBytes(member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()! : member.Value.GetRawText());
                    isText = true;
                    break;
                case "data_base64" when member.Value.ValueKind == JsonValueKind.String:
                    data = member.Value.GetBytesFromBase64();
                    isText = false;
                    break;
                default:
                    attributes.Add(new(member.Name, Cell(member.Value)));
                    break;
            }
        }

        return new EventView(attributes, data, isText);
    }

    private static JsonDocument Parse(ApiAnswer reply, string what)
    {
        try
        {
            return JsonDocument.Parse(reply.Body);
        }
        catch (JsonException e)
        {
            throw Unexpected(reply, $"{what} as JSON ({e.Message})");
        }
    }

    private static JsonElement Unwrap(JsonElement root, string member, string what, ApiAnswer reply)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root;
        }

        if (root.ValueKind == JsonValueKind.Object && Member(root, member) is { ValueKind: JsonValueKind.Array } inner)
        {
            return inner;
        }

        throw Unexpected(reply, $"{what} as a JSON array (or an object with an '{member}' array)");
    }

    private static JsonElement? Member(JsonElement obj, string name)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static UnexpectedReplyException Unexpected(ApiAnswer reply, string expected)
    {
        var text = reply.BodyText;
        var shown = text.Length > 200 ? string.Concat(text.AsSpan(0, 200), "…") : text;
        return new UnexpectedReplyException(string.Create(CultureInfo.InvariantCulture,
            $"error: the node answered {reply.Status} but its body is not {expected}: {shown}"));
    }
}
