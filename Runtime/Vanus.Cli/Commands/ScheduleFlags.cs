using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>
/// The flags of <c>schedule create</c> that write a schedule document (DESIGN §6): when it fires (<c>--cron</c> with
/// <c>--timezone</c>, or <c>--interval</c>), where (<c>--eventbus</c>) and the event template, given with the flags of
/// <c>vanus event put</c> but without <c>--id</c> and <c>--time</c>, which each occurrence sets; or <c>--file</c> with the
/// whole document. Flags are checked while parsing; the node validates the document in full.
/// </summary>
internal sealed class ScheduleFlags
{
    // The status members the node adds to a schedule it describes; a document read from a file leaves them out.
    private static readonly string[] StatusMembers = ["namespace", "state", "createdAt", "nextOccurrence", "lastFired", "fired", "missed", "lastError"];

    // Stands in for the id each occurrence gets, so the runtime's CloudEvents writer can write the template.
    private const string TemplateId = "template";

    public ScheduleFlags()
    {
        Name = new Argument<string?>("NAME") { Description = "The new schedule's name (with --file: taken from the document when left out)", Arity = ArgumentArity.ZeroOrOne };
        File = new Option<string?>("--file", "-f")
        {
            Description = "Read the whole schedule document (JSON, DESIGN §6) from a file ('-' reads standard input); status members such as fired are left out",
            HelpName = "PATH",
        };
        OptionParsers.NonEmpty(File);
        Eventbus = new Option<string?>("--eventbus") { Description = "The eventbus the schedule emits into", HelpName = "NAME" };
        OptionParsers.NonEmpty(Eventbus);
        Cron = new Option<string?>("--cron")
        {
            Description = "When it fires: a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), such as \"*/5 * * * *\"",
            HelpName = "EXPR",
        };
        Cron.Validators.Add(CheckCron);
        TimeZone = new Option<string?>("--timezone") { Description = "The IANA time zone the cron expression is read in, such as America/New_York (node default: UTC)", HelpName = "ZONE" };
        OptionParsers.NonEmpty(TimeZone);
        Interval = new Option<Duration?>("--interval")
        {
            Description = "When it fires: every this long from its creation, such as 30s or 1h (at least 1s)",
            HelpName = "DURATION",
            CustomParser = ParseInterval,
        };
        Source = new Option<string>("--source") { Description = "The CloudEvent source of each event, a URI-reference", HelpName = "URI-REFERENCE", DefaultValueFactory = _ => "vanus-cli" };
        Source.Validators.Add(r => Check(r, "--source", EventRules.CheckUriReference(r.GetValueOrDefault<string>() ?? "")));
        Type = new Option<string?>("--type") { Description = "The CloudEvent type of each event, such as billing.run", HelpName = "TYPE" };
        OptionParsers.NonEmpty(Type);
        Subject = new Option<string?>("--subject") { Description = "The CloudEvent subject", HelpName = "SUBJECT" };
        OptionParsers.NonEmpty(Subject);
        ContentType = new Option<string?>("--datacontenttype") { Description = "The media type of the data", HelpName = "MEDIATYPE" };
        ContentType.Validators.Add(r => Check(r, "--datacontenttype", EventRules.CheckMediaType(r.GetValueOrDefault<string?>() ?? "")));
        Schema = new Option<string?>("--dataschema") { Description = "The schema of the data, an absolute URI", HelpName = "URI" };
        Schema.Validators.Add(r => Check(r, "--dataschema", EventRules.CheckUri(r.GetValueOrDefault<string?>() ?? "")));
        Attrs = new Option<string[]>("--attr") { Description = "An extension attribute of each event (repeat for more)", HelpName = "NAME=VALUE" };
        Attrs.Validators.Add(CheckAttributes);
        PartitionKey = new Option<string?>("--partition-key") { Description = "The partitionkey extension: events with one key go to one eventlog", HelpName = "KEY" };
        OptionParsers.NonEmpty(PartitionKey);
        Data = new Option<string?>("--data") { Description = "The data of each event, as UTF-8 text", HelpName = "TEXT" };
        DataFile = new Option<string?>("--data-file") { Description = "Read the data from a file ('-' reads standard input)", HelpName = "PATH" };
    }

    public Argument<string?> Name { get; }

    public Option<string?> File { get; }

    public Option<string?> Eventbus { get; }

    public Option<string?> Cron { get; }

    public Option<string?> TimeZone { get; }

    public Option<Duration?> Interval { get; }

    public Option<string> Source { get; }

    public Option<string?> Type { get; }

    public Option<string?> Subject { get; }

    public Option<string?> ContentType { get; }

    public Option<string?> Schema { get; }

    public Option<string[]> Attrs { get; }

    public Option<string?> PartitionKey { get; }

    public Option<string?> Data { get; }

    public Option<string?> DataFile { get; }

    private Option[] DocumentOptions => [Eventbus, Cron, TimeZone, Interval, Source, Type, Subject, ContentType, Schema, Attrs, PartitionKey, Data, DataFile];

    /// <summary>Adds the argument, the flags and their cross-checks to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Arguments.Add(Name);
        command.Options.Add(File);
        foreach (var option in DocumentOptions)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(Validate);
        return command;
    }

    private void Validate(CommandResult r)
    {
        if (r.Given(File))
        {
            var given = DocumentOptions.Where(r.Given).Select(o => o.Name).ToList();
            if (given.Count > 0)
            {
                r.AddError($"--file gives the whole document: leave out {string.Join(", ", given)} (or edit the document)");
            }

            return;
        }

        if (r.GetValue(Name) is null)
        {
            r.AddError("give the schedule's NAME (or the whole document with --file)");
        }

        if (!r.Given(Eventbus))
        {
            r.AddError("--eventbus is required: the eventbus the schedule emits into (or give the whole document with --file)");
        }

        if (r.Given(Cron) && r.Given(Interval))
        {
            r.AddError("--cron and --interval cannot be used together: a schedule fires either on a cron expression or at an interval");
        }
        else if (!r.Given(Cron) && !r.Given(Interval))
        {
            r.AddError("say when the schedule fires: --cron \"*/5 * * * *\" (with --timezone) or --interval 30s");
        }

        if (r.Given(TimeZone) && !r.Given(Cron))
        {
            r.AddError("--timezone applies to --cron only: an interval counts from the schedule's creation");
        }

        if (!r.Given(Type))
        {
            r.AddError("--type is required: the CloudEvent type of each event the schedule emits");
        }

        EventFlags.Exclusive(r, Data, DataFile);
        if (r.Given(PartitionKey) && Pairs(r.GetValue(Attrs) ?? []).Any(a => a.Name == "partitionkey"))
        {
            r.AddError("--attr partitionkey=… repeats what another flag of this command sets; give it once");
        }
    }

    /// <summary>The document to send: the file's (status members left out, NAME added when it has none), or the one the flags describe.</summary>
    public async Task<JsonObject> BuildAsync(ParseResult p, CliEnvironment env, CancellationToken cancellationToken)
    {
        var name = p.GetValue(Name);
        if (p.GetValue(File) is { } file)
        {
            return await ReadDocumentAsync(env, file, name, cancellationToken).ConfigureAwait(false);
        }

        var document = new JsonObject { ["name"] = name, ["eventbus"] = p.GetValue(Eventbus) };
        if (p.GetValue(Cron) is { } cron)
        {
            document["cron"] = cron;
            if (p.GetValue(TimeZone) is { } zone)
            {
                document["timezone"] = zone;
            }
        }
        else
        {
            document["interval"] = p.GetValue(Interval)!.Value.Text;
        }

        document["event"] = await TemplateAsync(p, env, cancellationToken).ConfigureAwait(false);
        return document;
    }

    /// <summary>The name the document carries, once <see cref="BuildAsync"/> has checked it.</summary>
    public static string NameOf(JsonObject document) => document["name"]!.GetValue<string>();

    /// <summary>The document as the UTF-8 JSON body of a request.</summary>
    public static byte[] ToBody(JsonObject document)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping keeps what the user wrote readable on the wire; it is still JSON.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return stream.ToArray();
    }

    /// <summary>The event template as CloudEvents JSON, written by the runtime's codec (so data is a JSON value, text or base64 as the format says) without an id.</summary>
    private async Task<JsonObject> TemplateAsync(ParseResult p, CliEnvironment env, CancellationToken cancellationToken)
    {
        var extensions = Pairs(p.GetValue(Attrs) ?? []).Select(a => new KeyValuePair<string, AttributeValue>(a.Name, AttributeValue.FromString(a.Value))).ToList();
        if (p.GetValue(PartitionKey) is { } key)
        {
            extensions.Add(new("partitionkey", AttributeValue.FromString(key)));
        }

        ReadOnlyMemory<byte>? data = null;
        if (p.GetValue(Data) is { } text)
        {
            data = Encoding.UTF8.GetBytes(text);
        }
        else if (p.GetValue(DataFile) is { } file)
        {
            data = await EventFlags.ReadFileAsync(env, "--data-file", file, cancellationToken).ConfigureAwait(false);
        }

        var template = new Event(TemplateId, p.GetValue(Source)!, p.GetValue(Type)!)
        {
            Subject = p.GetValue(Subject),
            DataContentType = p.GetValue(ContentType),
            DataSchema = p.GetValue(Schema),
            Extensions = ExtensionAttributes.From(extensions),
            Data = data,
        };
        var json = JsonNode.Parse(JsonEventFormat.Encode(template))!.AsObject();
        json.Remove("id");
        return json;
    }

    private static async Task<JsonObject> ReadDocumentAsync(CliEnvironment env, string file, string? name, CancellationToken cancellationToken)
    {
        var bytes = await EventFlags.ReadFileAsync(env, "--file", file, cancellationToken).ConfigureAwait(false);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UsageException($"--file '{file}' is not JSON: {e.Message}");
        }

        if (node is not JsonObject document)
        {
            throw new UsageException($"--file '{file}' must hold one JSON object, the schedule document");
        }

        foreach (var member in StatusMembers)
        {
            document.Remove(member);
        }

        var inFile = document["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : null;
        if (document.ContainsKey("name") && inFile is null)
        {
            throw new UsageException($"--file '{file}': 'name' must be a string");
        }

        if (name is not null && inFile is not null && name != inFile)
        {
            throw new UsageException($"--file '{file}' names the schedule '{inFile}', but the command line names '{name}'");
        }

        if (inFile is not null)
        {
            return document;
        }

        if (name is null)
        {
            throw new UsageException($"--file '{file}' has no 'name': add it to the document or give NAME");
        }

        // The name comes first, as it does in every document the node prints.
        var named = new JsonObject { ["name"] = name };
        foreach (var (key, value) in document.ToList())
        {
            document.Remove(key);
            named[key] = value;
        }

        return named;
    }

    private static IEnumerable<(string Name, string Value)> Pairs(string[] pairs)
    {
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                yield return (pair[..eq], pair[(eq + 1)..]);
            }
        }
    }

    // The range is checked while parsing: a validator that reads a value which failed to convert throws instead of reporting.
    private static Duration? ParseInterval(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        if (!Units.TryParseDuration(text, out var value, out var error))
        {
            r.AddError($"--interval: {error}");
            return null;
        }

        if (value < ScheduleSpec.MinInterval || value > ScheduleSpec.MaxInterval)
        {
            r.AddError($"--interval must be from 1s to 366d, not {text} (write a longer period as --cron)");
            return null;
        }

        return new Duration(value, Units.FormatDuration(value));
    }

    private static void CheckCron(OptionResult r)
    {
        if (r.Tokens.Count == 0)
        {
            return;
        }

        // The node checks the expression in full; the field count is the mistake worth catching before any request.
        var text = r.Tokens[0].Value;
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6) && !(fields == 1 && text.Trim().StartsWith('@')))
        {
            r.AddError($"--cron '{text}' has {fields} field{(fields == 1 ? "" : "s")}; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first), such as \"*/5 * * * *\"");
        }
    }

    private static void CheckAttributes(OptionResult r)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in r.Tokens)
        {
            var pair = token.Value;
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                r.AddError($"--attr '{pair}' must be NAME=VALUE, such as --attr region=eu");
                continue;
            }

            var name = pair[..eq];
            if (EventRules.CheckAttributeName(name) is { } rule)
            {
                r.AddError($"--attr '{pair}': the name '{name}' {rule}");
            }
            else if (name is "id" or "time")
            {
                r.AddError($"--attr '{pair}': each occurrence sets the event's {name}; leave it out");
            }
            else if (EventRules.IsReserved(name))
            {
                r.AddError($"--attr '{pair}': '{name}' is a core attribute; set it with its own flag (--{name})");
            }
            else if (name.StartsWith("xvanus", StringComparison.Ordinal))
            {
                r.AddError($"--attr '{pair}': attributes starting with 'xvanus' are set by the runtime");
            }
            else if (!seen.Add(name))
            {
                r.AddError($"--attr '{name}' is given more than once");
            }
        }
    }

    private static void Check(OptionResult r, string name, string? rule)
    {
        if (r.Tokens.Count > 0 && rule is not null)
        {
            r.AddError($"{name} '{r.Tokens[0].Value}' {rule}");
        }
    }
}
