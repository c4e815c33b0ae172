using System.CommandLine;
using System.Globalization;
using Vanus.Cli.Client;
using Vanus.Cli.Output;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus eventbus</c> verbs: create, list, info and delete eventbuses through the management API.</summary>
internal static class EventbusCommands
{
    public static Command Create(CliEnvironment env) =>
        ClientCall.Group("eventbus", "Create, list, describe and delete eventbuses on a node", env, CreateCreate, CreateList, CreateInfo, CreateDelete);

    private static Argument<string> NameArgument() => new("NAME") { Description = "The eventbus's name" };

    private static Command CreateCreate(ClientOptions options, CliEnvironment env)
    {
        var name = NameArgument();
        var eventlogs = OptionParsers.Bounded("--eventlogs", "How many eventlogs (partitions), fixed at creation (node default: 1)", 1, 64);
        var replicas = OptionParsers.Bounded("--replicas", "Replicas of each eventlog (node default: 1)", 1, 64);
        var sync = new Option<string?>("--sync") { Description = "When appends reach the disk before the reply (node default: interval)", HelpName = "always|interval|none" };
        sync.AcceptOnlyFromAmong("always", "interval", "none");
        var age = OptionParsers.Duration("--retention-age", "Delete events older than this, such as 7d (default: keep forever)", allowZero: false);
        var bytes = OptionParsers.Size("--retention-bytes", "Delete the oldest events beyond this size per eventlog, such as 10GB (default: no limit)");
        var command = new Command("create", "Create an eventbus (and its dead-letter bus)") { name, eventlogs, replicas, sync, age, bytes };
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) =>
            {
                var p = call.Parse;
                var retentionAge = p.GetValue(age)?.Text;
                var retentionBytes = p.GetValue(bytes);
                return call.Client.CreateEventbusAsync(
                    new CreateEventbusRequest(p.GetValue(name)!)
                    {
                        Eventlogs = p.GetValue(eventlogs),
                        Replicas = p.GetValue(replicas),
                        Sync = p.GetValue(sync),
                        Retention = retentionAge is null && retentionBytes is null ? null : new RetentionRequest(retentionAge, retentionBytes),
                    },
                    ct);
            },
            (call, reply) => call.PrintDone($"created eventbus {call.Namespace}/{call.Parse.GetValue(name)}", reply, (output, r) => PrintInfo(output, ContractReader.ReadEventbus(r))));
        return command;
    }

    private static Command CreateList(ClientOptions options, CliEnvironment env)
    {
        var command = new Command("list", "List the eventbuses of a namespace");
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.ListEventbusesAsync(ct),
            (call, reply) => call.PrintList(
                ContractReader.ReadEventbusList(reply),
                $"no eventbuses in namespace {call.Namespace}",
                new Table("NAME", "EVENTLOGS", "EVENTS", "SYNC", "REPLICAS", "RETENTION"),
                bus =>
                {
                    var logs = bus.Eventlogs ?? [];
                    return
                    [
                        bus.Name ?? "-",
                        logs.Count.ToString(CultureInfo.InvariantCulture),
                        logs.Sum(l => l.Next - l.Earliest).ToString(CultureInfo.InvariantCulture),
                        OtherCell(bus, "sync"),
                        OtherCell(bus, "replicas"),
                        Retention(bus),
                    ];
                }));
        return command;
    }

    private static Command CreateInfo(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "info", "Describe an eventbus: settings and each eventlog's earliest and next offsets", NameArgument(),
            (client, name, ct) => client.GetEventbusAsync(name, ct), (call, _, reply) => PrintInfo(call.Out, ContractReader.ReadEventbus(reply)));

    private static Command CreateDelete(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "delete", "Delete an eventbus, its dead-letter bus and their events", NameArgument(),
            (client, name, ct) => client.DeleteEventbusAsync(name, ct), (call, name, _) => call.Out.WriteLine($"deleted eventbus {call.Namespace}/{name}"));

    private static void PrintInfo(TextWriter output, EventbusDocument bus)
    {
        var properties = new List<KeyValuePair<string, string>> { new("name", bus.Name ?? "-") };
        if (bus.Namespace is { } ns)
        {
            properties.Add(new("namespace", ns));
        }

        foreach (var (key, value) in bus.Other ?? [])
        {
            properties.Add(new(key, key == "retention" ? Retention(bus) : ContractReader.Cell(value)));
        }

        Table.WriteProperties(output, properties);
        var logs = new Table("EVENTLOG", "EARLIEST", "NEXT", "EVENTS");
        foreach (var log in bus.Eventlogs ?? [])
        {
            logs.Add(
                log.Id.ToString(CultureInfo.InvariantCulture),
                log.Earliest.ToString(CultureInfo.InvariantCulture),
                log.Next.ToString(CultureInfo.InvariantCulture),
                (log.Next - log.Earliest).ToString(CultureInfo.InvariantCulture));
        }

        output.WriteLine();
        logs.WriteTo(output);
    }

    private static string OtherCell(EventbusDocument bus, string name) =>
        bus.Other?.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } p ? ContractReader.Cell(p.Value) : "-";

    /// <summary>Retention as one cell: "forever" when the node sets no limit (absent, null or an empty object).</summary>
    private static string Retention(EventbusDocument bus)
    {
        var text = OtherCell(bus, "retention");
        return text is "-" or "" ? "forever" : text;
    }
}
