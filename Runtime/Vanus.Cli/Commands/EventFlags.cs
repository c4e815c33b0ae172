using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>
/// The flags that describe one CloudEvent (<c>--type</c>, <c>--attr</c>, <c>--data-file -</c> …), shared by the verbs
/// that send an event (<c>event put</c>, <c>subscription validate</c>) and, without <c>--id</c> and <c>--time</c>, by
/// <c>schedule create</c> for the template each occurrence fills in.
/// </summary>
internal sealed class EventFlags
{
    /// <summary>The id a template carries until an occurrence sets its own.</summary>
    public const string TemplateId = "template";

    /// <summary>The flags of one event; for a <paramref name="template"/>, without <c>--id</c> and <c>--time</c> and with <c>--type</c> checked by the verb.</summary>
    public EventFlags(bool template = false)
    {
        var of = template ? " of each event" : "";
        if (!template)
        {
            Id = new Option<string?>("--id") { Description = "The CloudEvent id (default: a new GUID)", HelpName = "ID" };
            OptionParsers.NonEmpty(Id);
            Time = OptionParsers.Timestamp("--time", "When the occurrence happened");
        }

        Source = new Option<string>("--source") { Description = $"The CloudEvent source{of}, a URI-reference", HelpName = "URI-REFERENCE", DefaultValueFactory = _ => "vanus-cli" };
        Source.Validators.Add(r => Check(r, "--source", EventRules.CheckUriReference(r.GetValueOrDefault<string>() ?? "")));
        Type = new Option<string?>("--type") { Description = $"The CloudEvent type{of}, such as {(template ? "billing.run" : "order.created")}", HelpName = "TYPE", Required = !template };
        OptionParsers.NonEmpty(Type);
        Subject = new Option<string?>("--subject") { Description = "The CloudEvent subject", HelpName = "SUBJECT" };
        OptionParsers.NonEmpty(Subject);
        ContentType = new Option<string?>("--datacontenttype") { Description = template ? "The media type of the data" : "The media type of the data, sent as Content-Type", HelpName = "MEDIATYPE" };
        ContentType.Validators.Add(r => Check(r, "--datacontenttype", EventRules.CheckMediaType(r.GetValueOrDefault<string?>() ?? "")));
        Schema = new Option<string?>("--dataschema") { Description = "The schema of the data, an absolute URI", HelpName = "URI" };
        Schema.Validators.Add(r => Check(r, "--dataschema", EventRules.CheckUri(r.GetValueOrDefault<string?>() ?? "")));
        Attrs = new Option<string[]>("--attr") { Description = $"An extension attribute{of} (repeat for more)", HelpName = "NAME=VALUE" };
        Attrs.Validators.Add(r => CheckAttributes(r, template));
        PartitionKey = new Option<string?>("--partition-key") { Description = "The partitionkey extension: events with one key go to one eventlog", HelpName = "KEY" };
        OptionParsers.NonEmpty(PartitionKey);
        Data = new Option<string?>("--data") { Description = $"The data{of}, as UTF-8 text", HelpName = "TEXT" };
        DataFile = new Option<string?>("--data-file") { Description = "Read the data from a file ('-' reads standard input)", HelpName = "PATH" };
    }

    public Option<string?>? Id { get; }

    public Option<string> Source { get; }

    public Option<string?> Type { get; }

    public Option<string?> Subject { get; }

    public Option<string?> ContentType { get; }

    public Option<string?> Schema { get; }

    public Option<DateTimeOffset?>? Time { get; }

    public Option<string[]> Attrs { get; }

    public Option<string?> PartitionKey { get; }

    public Option<string?> Data { get; }

    public Option<string?> DataFile { get; }

    /// <summary>Every flag, in help order.</summary>
    public IReadOnlyList<Option> Options => [.. new Option?[] { Id, Source, Type, Subject, ContentType, Schema, Time, Attrs, PartitionKey, Data, DataFile }.OfType<Option>()];

    /// <summary>Adds the flags and their cross-checks to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in Options)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(Validate);
    }

    /// <summary>The cross-checks of the flags: one data flag at most, and the partition key given once.</summary>
    public void Validate(CommandResult r)
    {
        Exclusive(r, Data, DataFile);
        if (r.Given(PartitionKey) && AttributesOf(r).Any(a => a.Name == "partitionkey"))
        {
            r.AddError("--attr partitionkey=… repeats what another flag of this command sets; give it once");
        }
    }

    /// <summary>The <c>--attr</c> pairs as given (the option's validator has already refused malformed ones).</summary>
    public IEnumerable<(string Name, string Value)> AttributesOf(CommandResult r) => ParseAttributes(r.GetValue(Attrs) ?? []);

    /// <summary>Builds the event the flags describe, with <paramref name="more"/> extensions added (set by other flags of the verb).</summary>
    public async Task<Event> BuildAsync(ParseResult p, CliEnvironment env, IEnumerable<KeyValuePair<string, AttributeValue>> more, CancellationToken cancellationToken)
    {
        var extensions = ParseAttributes(p.GetValue(Attrs) ?? []).Select(a => new KeyValuePair<string, AttributeValue>(a.Name, AttributeValue.FromString(a.Value))).ToList();
        if (p.GetValue(PartitionKey) is { } key)
        {
            extensions.Add(new("partitionkey", AttributeValue.FromString(key)));
        }

        extensions.AddRange(more);
        var id = Id is null ? TemplateId : p.GetValue(Id) ?? Guid.NewGuid().ToString();
        return new Event(id, p.GetValue(Source)!, p.GetValue(Type)!)
        {
            Subject = p.GetValue(Subject),
            DataContentType = p.GetValue(ContentType),
            DataSchema = p.GetValue(Schema),
            Time = Time is null ? null : p.GetValue(Time),
            Extensions = ExtensionAttributes.From(extensions),
            Data = await ReadDataAsync(env, p.GetValue(Data), p.GetValue(DataFile), cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Refuses two options given together.</summary>
    public static void Exclusive(CommandResult r, Option a, Option b)
    {
        if (r.Given(a) && r.Given(b))
        {
            r.AddError($"{a.Name} and {b.Name} cannot be used together");
        }
    }

    private static IEnumerable<(string Name, string Value)> ParseAttributes(string[] pairs)
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

    private static void CheckAttributes(OptionResult r, bool template)
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
            else if (template && name is "id" or "time")
            {
                r.AddError($"--attr '{pair}': each occurrence sets the event's {name}; leave it out");
            }
            else if (EventRules.IsReserved(name))
            {
                r.AddError($"--attr '{pair}': '{name}' is a core attribute; set it with its own flag (--{name})");
            }
            else if (template && name.StartsWith("xvanus", StringComparison.Ordinal))
            {
                r.AddError($"--attr '{pair}': attributes starting with 'xvanus' are set by the runtime");
            }
            else if (!seen.Add(name))
            {
                r.AddError($"--attr '{name}' is given more than once");
            }
        }
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadDataAsync(CliEnvironment env, string? text, string? file, CancellationToken cancellationToken)
    {
        if (text is not null)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        if (file is null)
        {
            // Returned as a null Nullable, not a null byte[]: that would convert to empty data that is present.
            return null;
        }

        return await ReadFileAsync(env, "--data-file", file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a file named on the command line, or standard input for <c>-</c>; an unreadable one is a usage error naming the flag.</summary>
    public static async Task<byte[]> ReadFileAsync(CliEnvironment env, string flag, string file, CancellationToken cancellationToken)
    {
        try
        {
            if (file == "-")
            {
                using var buffer = new MemoryStream();
                var stdin = env.OpenStandardInput();
                await using (stdin.ConfigureAwait(false))
                {
                    await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                }

                return buffer.ToArray();
            }

            return await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{flag}: cannot read '{file}': {e.Message}");
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
