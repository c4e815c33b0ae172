using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using Vanus.Cli.Client;
using Vanus.Cli.Output;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus event</c> verbs: put an event in binary mode, read events by offset or id, find offsets by time.</summary>
internal static class EventCommands
{
    /// <summary>The attribute that holds an event for delivery at a later time (DESIGN §2).</summary>
    public const string DeliveryTimeAttribute = "xvanusdeliverytime";

    public static Command Create(CliEnvironment env)
    {
        var options = new ClientOptions();
        var group = new Command("event", "Put events into an eventbus and read them back");
        group.Subcommands.Add(CreatePut(options, env));
        group.Subcommands.Add(CreateGet(options, env));
        group.Subcommands.Add(CreateQuery(options, env));
        return options.AddTo(group);
    }

    private static Argument<string> EventbusArgument() => new("EVENTBUS") { Description = "The eventbus's name" };

    private static Command CreatePut(ClientOptions options, CliEnvironment env)
    {
        var bus = EventbusArgument();
        var id = new Option<string?>("--id") { Description = "The CloudEvent id (default: a new GUID)", HelpName = "ID" };
        OptionParsers.NonEmpty(id);
        var source = new Option<string>("--source") { Description = "The CloudEvent source, a URI-reference", HelpName = "URI-REFERENCE", DefaultValueFactory = _ => "vanus-cli" };
        source.Validators.Add(r => Check(r, "--source", EventRules.CheckUriReference(r.GetValueOrDefault<string>() ?? "")));
        var type = new Option<string?>("--type") { Description = "The CloudEvent type, such as order.created", HelpName = "TYPE", Required = true };
        OptionParsers.NonEmpty(type);
        var subject = new Option<string?>("--subject") { Description = "The CloudEvent subject", HelpName = "SUBJECT" };
        OptionParsers.NonEmpty(subject);
        var contentType = new Option<string?>("--datacontenttype") { Description = "The media type of the data, sent as Content-Type", HelpName = "MEDIATYPE" };
        contentType.Validators.Add(r => Check(r, "--datacontenttype", EventRules.CheckMediaType(r.GetValueOrDefault<string?>() ?? "")));
        var schema = new Option<string?>("--dataschema") { Description = "The schema of the data, an absolute URI", HelpName = "URI" };
        schema.Validators.Add(r => Check(r, "--dataschema", EventRules.CheckUri(r.GetValueOrDefault<string?>() ?? "")));
        var time = OptionParsers.Timestamp("--time", "When the occurrence happened");
        var attrs = new Option<string[]>("--attr") { Description = "An extension attribute (repeat for more)", HelpName = "NAME=VALUE" };
        attrs.Validators.Add(CheckAttributes);
        var partitionKey = new Option<string?>("--partition-key") { Description = "The partitionkey extension: events with one key go to one eventlog", HelpName = "KEY" };
        OptionParsers.NonEmpty(partitionKey);
        var data = new Option<string?>("--data") { Description = "The data, as UTF-8 text", HelpName = "TEXT" };
        var dataFile = new Option<string?>("--data-file") { Description = "Read the data from a file ('-' reads standard input)", HelpName = "PATH" };
        var deliveryTime = OptionParsers.Timestamp("--delivery-time", $"Hold the event until this time (sets {DeliveryTimeAttribute})");
        var delay = OptionParsers.Duration("--delay", $"Hold the event for this long, such as 30s (sets {DeliveryTimeAttribute} from now)");
        var command = new Command("put", "Put one event into an eventbus (CloudEvents binary mode) and print where it was stored")
        {
            bus, id, source, type, subject, contentType, schema, time, attrs, partitionKey, data, dataFile, deliveryTime, delay,
        };
        command.Validators.Add(r =>
        {
            Exclusive(r, data, dataFile);
            Exclusive(r, deliveryTime, delay);
            foreach (var (name, _) in ParseAttributes(r.GetValue(attrs) ?? []))
            {
                if ((name == "partitionkey" && r.Given(partitionKey)) || (name == DeliveryTimeAttribute && (r.Given(deliveryTime) || r.Given(delay))))
                {
                    r.AddError($"--attr {name}=… repeats what another flag of this command sets; give it once");
                }
            }
        });
        ClientCall.SetAction(command, options, env, async (call, ct) =>
        {
            var p = call.Parse;
            var extensions = ParseAttributes(p.GetValue(attrs) ?? []).Select(a => new KeyValuePair<string, AttributeValue>(a.Name, AttributeValue.FromString(a.Value))).ToList();
            if (p.GetValue(partitionKey) is { } key)
            {
                extensions.Add(new("partitionkey", AttributeValue.FromString(key)));
            }

            var due = p.GetValue(deliveryTime) ?? (p.GetValue(delay) is { } d ? call.Env.Time.GetUtcNow() + d.Value : null);
            if (due is { } at)
            {
                extensions.Add(new(DeliveryTimeAttribute, AttributeValue.FromTimestamp(at)));
            }

            var e = new Event(p.GetValue(id) ?? Guid.NewGuid().ToString(), p.GetValue(source)!, p.GetValue(type)!)
            {
                Subject = p.GetValue(subject),
                DataContentType = p.GetValue(contentType),
                DataSchema = p.GetValue(schema),
                Time = p.GetValue(time),
                Extensions = ExtensionAttributes.From(extensions),
                Data = await ReadDataAsync(call.Env, p.GetValue(data), p.GetValue(dataFile), ct).ConfigureAwait(false),
            };
            var reply = ClientCall.Accept(await call.Client.PutEventsAsync(call.Namespace, p.GetValue(bus)!, HttpBinding.ToHttpContent(e, ContentMode.Binary), ct).ConfigureAwait(false));
            if (call.Format == OutputFormat.Json)
            {
                call.PrintJson(reply);
                return ExitCodes.Ok;
            }

            var events = ContractReader.ReadIngestReply(reply).Events!;
            var held = events.Any(x => x.DeliveryTime is not null);
            var table = held ? new Table("ID", "EVENTID", "DELIVERYTIME") : new Table("ID", "EVENTID", "EVENTLOG", "OFFSET");
            foreach (var x in events)
            {
                if (held)
                {
                    table.Add(x.Id ?? "-", x.EventId ?? "-", x.DeliveryTime ?? "-");
                }
                else
                {
                    table.Add(x.Id ?? "-", x.EventId ?? "-", Number(x.Eventlog), Number(x.Offset));
                }
            }

            table.WriteTo(call.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateGet(ClientOptions options, CliEnvironment env)
    {
        var bus = EventbusArgument();
        var eventlog = OptionParsers.Bounded("--eventlog", "The eventlog to read (with --offset)", 0, int.MaxValue);
        var offset = OptionParsers.Bounded("--offset", "The first offset to read (with --eventlog)", 0L, long.MaxValue);
        var count = OptionParsers.Bounded("--count", "How many events to read from --offset at most", 1, 10_000, 10);
        var eventId = new Option<string?>("--id") { Description = "The server-assigned eventId that put printed", HelpName = "EVENTID" };
        OptionParsers.NonEmpty(eventId);
        var command = new Command("get", "Read events by eventlog and offset, or one event by its eventId") { bus, eventlog, offset, count, eventId };
        command.Validators.Add(r =>
        {
            var byOffset = r.Given(eventlog) || r.Given(offset);
            if (r.Given(eventId))
            {
                if (byOffset || r.Given(count))
                {
                    r.AddError("--id reads one event by its eventId: leave out --eventlog, --offset and --count");
                }
            }
            else if (!r.Given(eventlog) || !r.Given(offset))
            {
                r.AddError("say which events to read: --eventlog N --offset O [--count C], or --id EVENTID");
            }
        });
        ClientCall.SetAction(command, options, env, async (call, ct) =>
        {
            var p = call.Parse;
            var byId = p.GetValue(eventId);
            var reply = ClientCall.Accept(byId is not null
                ? await call.Client.GetEventAsync(call.Namespace, p.GetValue(bus)!, byId, ct).ConfigureAwait(false)
                : await call.Client.ReadEventsAsync(call.Namespace, p.GetValue(bus)!, p.GetValue(eventlog)!.Value, p.GetValue(offset)!.Value, p.GetValue(count), ct).ConfigureAwait(false));
            if (call.Format == OutputFormat.Json)
            {
                call.PrintJson(reply);
                return ExitCodes.Ok;
            }

            var events = ContractReader.ReadEvents(reply);
            if (byId is not null && events.Count == 1)
            {
                PrintEvent(call.Out, events[0]);
            }
            else if (events.Count == 0)
            {
                call.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"no events in eventlog {p.GetValue(eventlog)} from offset {p.GetValue(offset)}"));
            }
            else
            {
                var table = new Table("EVENTLOG", "OFFSET", "STIME", "ID", "SOURCE", "TYPE", "DATA");
                foreach (var e in events)
                {
                    table.Add(e["xvanuseventlog"] ?? "-", e["xvanusoffset"] ?? "-", e["xvanusstime"] ?? "-", e["id"] ?? "-", e["source"] ?? "-", e["type"] ?? "-", DataCell(e));
                }

                table.WriteTo(call.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateQuery(ClientOptions options, CliEnvironment env)
    {
        var bus = EventbusArgument();
        var time = OptionParsers.Timestamp("--time", "Find, per eventlog, the first offset stored at or after this time");
        time.Required = true;
        var command = new Command("query", "Find the first offset of each eventlog at or after a time") { bus, time };
        ClientCall.SetAction(command, options, env, async (call, ct) =>
        {
            var p = call.Parse;
            var reply = ClientCall.Accept(await call.Client.QueryOffsetsAsync(call.Namespace, p.GetValue(bus)!, Rfc3339.Format(p.GetValue(time)!.Value), ct).ConfigureAwait(false));
            if (call.Format == OutputFormat.Json)
            {
                call.PrintJson(reply);
                return ExitCodes.Ok;
            }

            var table = new Table("EVENTLOG", "OFFSET");
            foreach (var o in ContractReader.ReadOffsets(reply))
            {
                table.Add(o.Eventlog.ToString(CultureInfo.InvariantCulture), o.Offset.ToString(CultureInfo.InvariantCulture));
            }

            table.WriteTo(call.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Splits NAME=VALUE pairs; the option's validator has already refused malformed ones.</summary>
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
            else if (EventRules.IsReserved(name))
            {
                r.AddError($"--attr '{pair}': '{name}' is a core attribute; set it with its own flag (--{name})");
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
            return null;
        }

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
            throw new UsageException($"--data-file: cannot read '{file}': {e.Message}");
        }
    }

    private static void PrintEvent(TextWriter output, EventView e)
    {
        var properties = e.Attributes.ToList();
        properties.Add(new("data", e.Data is null ? "(none)" : e.DataIsText ? Encoding.UTF8.GetString(e.Data) : $"({e.Data.Length} bytes) base64 {Convert.ToBase64String(e.Data)}"));
        Table.WriteProperties(output, properties);
    }

    private static string DataCell(EventView e) => e.Data switch
    {
        null => "-",
        { } d when e.DataIsText => Table.Fit(Encoding.UTF8.GetString(d), 40),
        { } d => string.Create(CultureInfo.InvariantCulture, $"({d.Length} bytes)"),
    };

    private static string Number<T>(T? value)
        where T : struct, IFormattable => value is { } v ? v.ToString(null, CultureInfo.InvariantCulture) : "-";

    private static void Check(OptionResult r, string name, string? rule)
    {
        if (r.Tokens.Count > 0 && rule is not null)
        {
            r.AddError($"{name} '{r.Tokens[0].Value}' {rule}");
        }
    }

    private static void Exclusive(CommandResult r, Option a, Option b)
    {
        if (r.Given(a) && r.Given(b))
        {
            r.AddError($"{a.Name} and {b.Name} cannot be used together");
        }
    }
}
