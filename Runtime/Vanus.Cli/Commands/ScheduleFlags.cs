using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;

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
    }

    public Argument<string?> Name { get; }

    public Option<string?> File { get; }

    public Option<string?> Eventbus { get; }

    public Option<string?> Cron { get; }

    public Option<string?> TimeZone { get; }

    public Option<Duration?> Interval { get; }










    // The event template: the flags of `vanus event put` but --id and --time, which each occurrence sets.
    private readonly EventFlags _event = new(template: true);

    private Option[] DocumentOptions => [Eventbus, Cron, TimeZone, Interval, .. _event.Options];

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

        if (!r.Given(_event.Type))
        {
            r.AddError("--type is required: the CloudEvent type of each event the schedule emits");
        }

        _event.Validate(r);
    }

    /// <summary>The document to send: the file's (status members left out, NAME added when it has none), or the one the flags describe.</summary>
    public async Task<JsonObject> BuildAsync(ParseResult p, CliEnvironment env, CancellationToken cancellationToken)
    {
        var name = p.GetValue(Name);
        if (p.GetValue(File) is { } file)
        {
            return await DocumentFile.ReadAsync(env, file, "schedule", name, StatusMembers, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The event template as CloudEvents JSON, written by the runtime's codec (so data is a JSON value, text or base64 as the format says) without an id.</summary>
    private async Task<JsonObject> TemplateAsync(ParseResult p, CliEnvironment env, CancellationToken cancellationToken)
    {
        var template = await _event.BuildAsync(p, env, [], cancellationToken).ConfigureAwait(false);
        var json = JsonNode.Parse(JsonEventFormat.Encode(template))!.AsObject();
        json.Remove("id");
        return json;
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

    private static void Check(OptionResult r, string name, string? rule)
    {
        if (r.Tokens.Count > 0 && rule is not null)
        {
            r.AddError($"{name} '{r.Tokens[0].Value}' {rule}");
        }
    }
}
