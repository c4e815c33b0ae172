using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Cli.Client;
using Vanus.Client;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>
/// The flags of <c>subscription create</c> and <c>update</c> that write a subscription document (DESIGN §6), or
/// <c>--file</c> with the whole document. Flags are checked while parsing; the node validates the document in full.
/// </summary>
internal sealed class SubscriptionFlags
{
    private readonly bool _update;

    public SubscriptionFlags(bool update)
    {
        _update = update;
        Name = new Argument<string?>("NAME")
        {
            Description = update ? "The subscription's name (with --file: taken from the document when left out)" : "The new subscription's name (with --file: taken from the document when left out)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        File = new Option<string?>("--file", "-f")
        {
            Description = "Read the whole subscription document (JSON, DESIGN §6) from a file ('-' reads standard input); status members such as state and eventlogs are left out",
            HelpName = "PATH",
        };
        OptionParsers.NonEmpty(File);
        Eventbus = new Option<string?>("--eventbus") { Description = "The eventbus to subscribe to", HelpName = "NAME" };
        OptionParsers.NonEmpty(Eventbus);
        Sink = new Option<string?>("--sink") { Description = "Where events are delivered: an absolute http:// or https:// URL", HelpName = "URL", CustomParser = ParseSink };
        Filters = new Option<string[]>("--filter")
        {
            Description = "A filter as a JSON object, such as {\"exact\":{\"type\":\"order.created\"}} (repeat for more; all must pass)",
            HelpName = "JSON",
        };
        Filters.Validators.Add(CheckFilters);
        Sql = new Option<string[]>("--sql") { Description = "A CESQL filter expression, such as \"amount > 100\" (repeat for more; all must pass)", HelpName = "EXPR" };
        Sql.Validators.Add(r =>
        {
            if (r.Tokens.Any(t => t.Value.Trim().Length == 0))
            {
                r.AddError("--sql must not be empty");
            }
        });
        Transformer = new Option<string?>("--transformer")
        {
            Description = "The transformer as a JSON object, such as {\"define\":{\"id\":\"$.data.id\"},\"template\":\"{\\\"order\\\":\\\"<id>\\\"}\"}",
            HelpName = "JSON",
        };
        Transformer.Validators.Add(r => CheckJsonObject(r, "--transformer"));
        Delay = OptionParsers.Duration("--delay", "Hold each event until its store time plus this delay, such as 5m (node default: 0s)");
        Mode = new Option<string?>("--mode") { Description = "The CloudEvents HTTP mode of deliveries (node default: binary)", HelpName = "binary|structured" };
        Mode.AcceptOnlyFromAmong("binary", "structured");
        Protocol = new Option<string?>("--protocol") { Description = "http: the node POSTs events to --sink; pull: consumers pull them (node default: http)", HelpName = "http|pull" };
        Protocol.AcceptOnlyFromAmong("http", "pull");
        Headers = new Option<string[]>("--header") { Description = "A header added to every delivery (repeat for more)", HelpName = "NAME=VALUE" };
        Headers.Validators.Add(CheckHeaders);
        MaxAttempts = OptionParsers.Bounded("--max-attempts", "Attempts per event, the first included (node default: 32)", 1, 32);
        Backoff = new Option<string[]?>("--backoff")
        {
            Description = "The waits before attempt 2, 3, …, comma-separated; the last repeats (node default: 1s,5s,10s,30s,60s,…,3600s)",
            HelpName = "DURATION,…",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = ParseBackoff,
        };
        Timeout = OptionParsers.Duration("--timeout", "How long one delivery attempt may take (node default: 5s)", allowZero: false);
        NoDeadLetter = new Option<bool>("--no-dead-letter") { Description = "Drop (and count) events that exhaust their attempts instead of dead-lettering them ('--no-dead-letter false' turns dead-lettering back on)" };
        Ordered = new Option<bool>("--ordered") { Description = "Deliver events with the same partitionkey one at a time, in order, retries included ('--ordered false' turns it off)" };
        Inflight = OptionParsers.Bounded("--inflight", "Deliveries outstanding at once (node default: 1024)", 1, 65_536);
        RateLimit = OptionParsers.Bounded("--rate-limit", "Deliveries per second, 0 for no limit (node default: 0)", 0.0, 1e9);
        From = new Option<string?>("--from") { Description = "Where to start: earliest, latest or an RFC 3339 time (node default: latest)", HelpName = "earliest|latest|TIME", CustomParser = ParseFrom };
        NoFilters = new Option<bool>("--no-filters") { Description = "Remove every filter: all events pass" };
        NoTransformer = new Option<bool>("--no-transformer") { Description = "Remove the transformer: events are delivered as stored" };
    }

    public Argument<string?> Name { get; }

    public Option<string?> File { get; }

    public Option<string?> Eventbus { get; }

    public Option<string?> Sink { get; }

    public Option<string[]> Filters { get; }

    public Option<string[]> Sql { get; }

    public Option<string?> Transformer { get; }

    public Option<Duration?> Delay { get; }

    public Option<string?> Mode { get; }

    public Option<string?> Protocol { get; }

    public Option<string[]> Headers { get; }

    public Option<int?> MaxAttempts { get; }

    public Option<string[]?> Backoff { get; }

    public Option<Duration?> Timeout { get; }

    public Option<bool> NoDeadLetter { get; }

    public Option<bool> Ordered { get; }

    public Option<int?> Inflight { get; }

    public Option<double?> RateLimit { get; }

    public Option<string?> From { get; }

    public Option<bool> NoFilters { get; }

    public Option<bool> NoTransformer { get; }

    /// <summary>The flags that write the document (every one but the name and <c>--file</c>).</summary>
    private IEnumerable<Option> DocumentOptions => _update
        ? [Sink, Filters, Sql, NoFilters, Transformer, NoTransformer, Delay, Protocol, Mode, Headers, MaxAttempts, Backoff, Timeout, NoDeadLetter, Ordered, Inflight, RateLimit]
        : [Eventbus, Sink, Filters, Sql, Transformer, Delay, Protocol, Mode, Headers, MaxAttempts, Backoff, Timeout, NoDeadLetter, Ordered, Inflight, RateLimit, From];

    /// <summary>Adds the argument, the flags and their cross-checks to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Arguments.Add(Name);
        command.Options.Add(File);
        foreach (var option in DocumentOptions)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(Check);
        return command;
    }

    private void Check(CommandResult r)
    {
        var given = DocumentOptions.Where(r.Given).Select(o => o.Name).ToList();
        if (r.Given(File))
        {
            if (given.Count > 0)
            {
                r.AddError($"--file gives the whole document: leave out {string.Join(", ", given)} (or edit the document)");
            }

            return;
        }

        if (r.GetValue(Name) is null)
        {
            r.AddError("give the subscription's NAME (or the whole document with --file)");
        }

        var pull = r.GetValue(Protocol) == "pull";
        if (pull && r.Given(Sink))
        {
            r.AddError("--protocol pull has no sink: consumers pull the events; leave out --sink");
        }

        if (_update)
        {
            if (given.Count == 0)
            {
                r.AddError("nothing to update: give the flags to change, or the whole document with --file");
            }

            if (r.Given(NoFilters) && (r.Given(Filters) || r.Given(Sql)))
            {
                r.AddError("--no-filters removes every filter: it cannot be combined with --filter or --sql");
            }

            if (r.Given(NoTransformer) && r.Given(Transformer))
            {
                r.AddError("--no-transformer and --transformer cannot be used together");
            }

            return;
        }

        if (!r.Given(Eventbus))
        {
            r.AddError("--eventbus is required: the eventbus to subscribe to (or give the whole document with --file)");
        }

        if (!pull && !r.Given(Sink))
        {
            r.AddError("--sink is required: the URL events are delivered to (or --protocol pull for consumers that pull)");
        }
    }

    /// <summary>The document to send: the file's (status members left out), or <paramref name="current"/> (or a new one) with the flags applied.</summary>
    public async Task<JsonObject> BuildAsync(ParseResult p, CliEnvironment env, JsonObject? current, CancellationToken cancellationToken)
    {
        var name = p.GetValue(Name);
        if (p.GetValue(File) is { } file)
        {
            return await DocumentFile.ReadAsync(env, file, "subscription", name, SubscriptionDocument.StatusMembers, cancellationToken).ConfigureAwait(false);
        }

        var doc = current ?? new JsonObject { ["name"] = name };
        Apply(p, doc);
        return doc;
    }


    /// <summary>Reads a node's answer as the document to send back: the status members the node adds are left out.</summary>
    public static JsonObject FromReply(ApiAnswer reply)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(reply.Body);
        }
        catch (JsonException e)
        {
            throw new UnexpectedReplyException($"error: the node answered {reply.Status} but its body is not a subscription document ({e.Message})");
        }

        if (node is not JsonObject document)
        {
            throw new UnexpectedReplyException($"error: the node answered {reply.Status} but its body is not a subscription document (a JSON object)");
        }

        StripStatus(document);
        return document;
    }

    private void Apply(ParseResult p, JsonObject doc)
    {
        var r = p.CommandResult;
        if (!_update && p.GetValue(Eventbus) is { } bus)
        {
            doc["eventbus"] = bus;
        }

        if (r.Given(Filters) || r.Given(Sql))
        {
            var filters = new JsonArray();
            foreach (var filter in p.GetValue(Filters) ?? [])
            {
                filters.Add(JsonNode.Parse(filter));
            }

            foreach (var sql in p.GetValue(Sql) ?? [])
            {
                filters.Add(new JsonObject { ["sql"] = sql });
            }

            doc[SubscriptionFields.Filters] = filters;
        }
        else if (_update && p.GetValue(NoFilters))
        {
            doc.Remove(SubscriptionFields.Filters);
        }

        if (p.GetValue(Transformer) is { } transformer)
        {
            doc[SubscriptionFields.Transformer] = JsonNode.Parse(transformer);
        }
        else if (_update && p.GetValue(NoTransformer))
        {
            doc.Remove(SubscriptionFields.Transformer);
        }

        if (p.GetValue(Delay) is { } delay)
        {
            doc[SubscriptionFields.Delay] = delay.Text;
        }

        if (p.GetValue(Sink) is { } sink)
        {
            doc[SubscriptionFields.Sink] = sink;
        }

        if (p.GetValue(Protocol) is { } protocol)
        {
            doc[SubscriptionFields.Protocol] = protocol;
            if (protocol == "pull")
            {
                doc.Remove(SubscriptionFields.Sink);
            }
        }

        if (p.GetValue(Mode) is { } mode)
        {
            doc[SubscriptionFields.Mode] = mode;
        }

        if (r.Given(Headers))
        {
            var headers = new JsonObject();
            foreach (var (name, value) in SplitPairs(p.GetValue(Headers) ?? []))
            {
                headers[name] = value;
            }

            doc[SubscriptionFields.SinkHeaders] = headers;
        }

        var delivery = doc[SubscriptionFields.Delivery] as JsonObject ?? new JsonObject();
        var changed = false;
        void Set(string member, JsonNode? value)
        {
            delivery[member] = value;
            changed = true;
        }

        if (p.GetValue(MaxAttempts) is { } attempts)
        {
            Set(SubscriptionFields.MaxAttempts, attempts);
        }

        // An array option reads as empty, not null, when it is not given.
        if (r.Given(Backoff) && p.GetValue(Backoff) is { } backoff)
        {
            Set(SubscriptionFields.Backoff, new JsonArray([.. backoff.Select(b => JsonValue.Create(b))]));
        }

        if (p.GetValue(Timeout) is { } timeout)
        {
            Set(SubscriptionFields.Timeout, timeout.Text);
        }

        if (r.Given(NoDeadLetter))
        {
            Set(SubscriptionFields.DeadLetter, !p.GetValue(NoDeadLetter));
        }

        if (r.Given(Ordered))
        {
            Set(SubscriptionFields.Ordered, p.GetValue(Ordered));
        }

        if (p.GetValue(Inflight) is { } inflight)
        {
            Set(SubscriptionFields.Inflight, inflight);
        }

        if (p.GetValue(RateLimit) is { } rate)
        {
            Set(SubscriptionFields.RateLimit, rate);
        }

        if (changed && delivery.Parent is null)
        {
            doc[SubscriptionFields.Delivery] = delivery;
        }

        if (!_update && p.GetValue(From) is { } from)
        {
            doc[SubscriptionFields.From] = from;
        }
    }

    private static void StripStatus(JsonObject document)
    {
        foreach (var member in SubscriptionDocument.StatusMembers)
        {
            document.Remove(member);
        }
    }

    private static string? ParseSink(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
        {
            return text;
        }

        r.AddError($"--sink must be an absolute http:// or https:// URL such as http://127.0.0.1:9000/hook, not '{text}'");
        return null;
    }

    private static string[]? ParseBackoff(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        var steps = new List<string>();
        var parts = text.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                r.AddError($"--backoff '{text}': entry {i + 1} is empty; write durations separated by commas, such as 1s,5s,30s");
                return null;
            }

            if (!Units.TryParseDuration(part, out var value, out var error))
            {
                r.AddError($"--backoff '{text}': entry {i + 1}: {error}");
                return null;
            }

            steps.Add(Units.FormatDuration(value));
        }

        return [.. steps];
    }

    private static string? ParseFrom(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        if (text is "earliest" or "latest")
        {
            return text;
        }

        if (Rfc3339.TryParse(text, out var time, out var why))
        {
            return Rfc3339.Format(time);
        }

        r.AddError($"--from must be earliest, latest or an RFC 3339 time such as 2026-11-27T16:00:00Z; '{text}' is none of them ({why})");
        return null;
    }

    private static void CheckFilters(OptionResult r)
    {
        foreach (var token in r.Tokens)
        {
            if (CheckJsonObject(token.Value) is { } problem)
            {
                r.AddError($"--filter '{token.Value}' {problem}");
            }
        }
    }

    private static void CheckJsonObject(OptionResult r, string name)
    {
        if (r.Tokens.Count > 0 && CheckJsonObject(r.Tokens[0].Value) is { } problem)
        {
            r.AddError($"{name} '{r.Tokens[0].Value}' {problem}");
        }
    }

    private static string? CheckJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "must be a JSON object, such as {\"exact\":{\"type\":\"order.created\"}}";
            }

            return document.RootElement.EnumerateObject().Any() ? null : "is an empty object";
        }
        catch (JsonException e)
        {
            return $"is not JSON: {e.Message}";
        }
    }

    private static void CheckHeaders(OptionResult r)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in r.Tokens)
        {
            var pair = token.Value;
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                r.AddError($"--header '{pair}' must be NAME=VALUE, such as --header Authorization=Bearer...");
                continue;
            }

            var name = pair[..eq];
            if (!name.All(IsTokenChar))
            {
                r.AddError($"--header '{pair}': '{name}' is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }
            else if (pair.AsSpan(eq + 1).ContainsAny('\r', '\n', '\0'))
            {
                r.AddError($"--header '{name}': the value must not contain line breaks or NUL");
            }
            else if (!seen.Add(name))
            {
                r.AddError($"--header '{name}' is given more than once");
            }
        }
    }

    // RFC 9110 §5.6.2 token characters.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static IEnumerable<(string Name, string Value)> SplitPairs(string[] pairs)
    {
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            yield return (pair[..eq], pair[(eq + 1)..]);
        }
    }
}
