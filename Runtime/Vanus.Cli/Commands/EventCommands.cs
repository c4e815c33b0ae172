using System.CommandLine;
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

    public static Command Create(CliEnvironment env) =>
        ClientCall.Group("event", "Put events into an eventbus and read them back", env, CreatePut, CreateGet, CreateQuery);

    private static Argument<string> EventbusArgument() => new("EVENTBUS") { Description = "The eventbus's name" };

    private static Command CreatePut(ClientOptions options, CliEnvironment env)
    {
        var bus = EventbusArgument();
        var flags = new EventFlags();
        var deliveryTime = OptionParsers.Timestamp("--delivery-time", $"Hold the event until this time (sets {DeliveryTimeAttribute})");
        var delay = OptionParsers.Duration("--delay", $"Hold the event for this long, such as 30s (sets {DeliveryTimeAttribute} from now)");
        var command = new Command("put", "Put one event into an eventbus (CloudEvents binary mode) and print where it was stored") { bus };
        flags.AddTo(command);
        command.Options.Add(deliveryTime);
        command.Options.Add(delay);
        command.Validators.Add(r =>
        {
            EventFlags.Exclusive(r, deliveryTime, delay);
            if ((r.Given(deliveryTime) || r.Given(delay)) && flags.AttributesOf(r).Any(a => a.Name == DeliveryTimeAttribute))
            {
                r.AddError($"--attr {DeliveryTimeAttribute}=… repeats what another flag of this command sets; give it once");
            }
        });
        ClientCall.SetRequestAction(command, options, env,
            async (call, ct) =>
            {
                var p = call.Parse;
                var due = p.GetValue(deliveryTime) ?? (p.GetValue(delay) is { } d ? call.Env.Time.GetUtcNow() + d.Value : null);
                KeyValuePair<string, AttributeValue>[] held = due is { } at ? [new(DeliveryTimeAttribute, AttributeValue.FromTimestamp(at))] : [];
                var e = await flags.BuildAsync(p, call.Env, held, ct).ConfigureAwait(false);
                return await call.Client.PutEventsAsync(p.GetValue(bus)!, HttpBinding.ToHttpContent(e, ContentMode.Binary), ct).ConfigureAwait(false);
            },
            (call, reply) =>
            {
                var events = ContractReader.ReadIngestReply(reply).Events!;
                var isHeld = events.Any(x => x.DeliveryTime is not null);
                var table = isHeld ? new Table("ID", "EVENTID", "DELIVERYTIME") : new Table("ID", "EVENTID", "EVENTLOG", "OFFSET");
                foreach (var x in events)
                {
                    table.Add(isHeld ? [x.Id ?? "-", x.EventId ?? "-", x.DeliveryTime ?? "-"] : [x.Id ?? "-", x.EventId ?? "-", Number(x.Eventlog), Number(x.Offset)]);
                }

                table.WriteTo(call.Out);
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
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) =>
            {
                var p = call.Parse;
                return p.GetValue(eventId) is { } byId
                    ? call.Client.GetEventAsync(p.GetValue(bus)!, byId, ct)
                    : call.Client.ReadEventsAsync(p.GetValue(bus)!, p.GetValue(eventlog)!.Value, p.GetValue(offset)!.Value, p.GetValue(count), ct);
            },
            (call, reply) =>
            {
                var p = call.Parse;
                var events = ContractReader.ReadEvents(reply);
                if (p.GetValue(eventId) is not null && events.Count == 1)
                {
                    PrintEvent(call.Out, events[0]);
                    return;
                }

                call.PrintList(
                    events,
                    string.Create(CultureInfo.InvariantCulture, $"no events in eventlog {p.GetValue(eventlog)} from offset {p.GetValue(offset)}"),
                    new Table("EVENTLOG", "OFFSET", "STIME", "ID", "SOURCE", "TYPE", "DATA"),
                    e => [e["xvanuseventlog"] ?? "-", e["xvanusoffset"] ?? "-", e["xvanusstime"] ?? "-", e["id"] ?? "-", e["source"] ?? "-", e["type"] ?? "-", DataCell(e)]);
            });
        return command;
    }

    private static Command CreateQuery(ClientOptions options, CliEnvironment env)
    {
        var bus = EventbusArgument();
        var time = OptionParsers.Timestamp("--time", "Find, per eventlog, the first offset stored at or after this time");
        time.Required = true;
        var command = new Command("query", "Find the first offset of each eventlog at or after a time") { bus, time };
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.QueryOffsetsAsync(call.Parse.GetValue(bus)!, Rfc3339.Format(call.Parse.GetValue(time)!.Value), ct),
            (call, reply) =>
            {
                var table = new Table("EVENTLOG", "OFFSET");
                foreach (var o in ContractReader.ReadOffsets(reply))
                {
                    table.Add(o.Eventlog.ToString(CultureInfo.InvariantCulture), o.Offset.ToString(CultureInfo.InvariantCulture));
                }

                table.WriteTo(call.Out);
            });
        return command;
    }

    /// <summary>Prints one event as aligned name/value lines, its data last.</summary>
    public static void PrintEvent(TextWriter output, EventView e)
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
}
