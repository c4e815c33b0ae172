using System.CommandLine;
using System.Globalization;
using Vanus.Cli.Client;
using Vanus.Cli.Output;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus deadletter</c> verbs: list the events a subscription dead-lettered, and resend them to its sink.</summary>
internal static class DeadletterCommands
{
    public static Command Create(CliEnvironment env) =>
        ClientCall.Group("deadletter", "List and resend the events a subscription could not deliver", env, CreateList, CreateResend);

    private static Argument<string> SubscriptionArgument() => new("SUBSCRIPTION") { Description = "The subscription's name" };

    private static Command CreateList(ClientOptions options, CliEnvironment env)
    {
        var subscription = SubscriptionArgument();
        var eventlog = OptionParsers.Bounded("--eventlog", "The dead-letter bus's eventlog to read", 0, int.MaxValue, 0);
        var offset = OptionParsers.Bounded("--offset", "The first offset to read", 0L, long.MaxValue, 0L);
        var count = OptionParsers.Bounded("--count", "How many dead letters to read at most", 1, 1000, 100);
        var command = new Command("list", "List a subscription's dead letters: each event with the reason, the last error and the attempts") { subscription, eventlog, offset, count };
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.ListDeadLettersAsync(call.Parse.GetValue(subscription)!, call.Parse.GetValue(eventlog), call.Parse.GetValue(offset), call.Parse.GetValue(count), ct),
            (call, reply) => call.PrintList(
                ContractReader.ReadEvents(reply),
                string.Create(CultureInfo.InvariantCulture, $"no dead letters of subscription {call.Namespace}/{call.Parse.GetValue(subscription)} in eventlog {call.Parse.GetValue(eventlog)} from offset {call.Parse.GetValue(offset)}"),
                new Table("EVENTLOG", "OFFSET", "DEAD-LETTERED", "ID", "TYPE", "ATTEMPTS", "REASON", "ERROR"),
                e =>
                [
                    e["xvanuseventlog"] ?? "-",
                    e["xvanusoffset"] ?? "-",
                    e["xvanusdltime"] ?? "-",
                    e["id"] ?? "-",
                    e["type"] ?? "-",
                    e["xvanusdlattempts"] ?? "-",
                    e["xvanusdlreason"] ?? "-",
                    e["xvanusdlerror"] is { } error ? Table.Fit(error, 60) : "-",
                ]));
        return command;
    }

    private static Command CreateResend(ClientOptions options, CliEnvironment env)
    {
        var subscription = SubscriptionArgument();
        var eventlog = OptionParsers.Bounded("--eventlog", "Resend only the dead letters of this dead-letter eventlog", 0, int.MaxValue);
        var from = OptionParsers.Bounded("--from", "The first offset to resend (with --eventlog)", 0L, long.MaxValue);
        var to = OptionParsers.Bounded("--to", "The last offset to resend (with --eventlog)", 0L, long.MaxValue);
        var command = new Command("resend", "Resend a subscription's dead letters to its sink: all of them, or those of one eventlog in an offset range") { subscription, eventlog, from, to };
        command.Validators.Add(r =>
        {
            if ((r.Given(from) || r.Given(to)) && !r.Given(eventlog))
            {
                r.AddError("--from and --to are offsets of one dead-letter eventlog: give --eventlog too");
            }
        });
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) =>
            {
                var p = call.Parse;
                if (p.GetValue(from) is { } first && p.GetValue(to) is { } last && first > last)
                {
                    // Checked here rather than in a validator: a validator cannot read a value that failed to convert.
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--from {first} is after --to {last}"));
                }

                return call.Client.ResendDeadLettersAsync(p.GetValue(subscription)!, new ResendRequest(p.GetValue(eventlog), p.GetValue(from), p.GetValue(to)), ct);
            },
            (call, reply) =>
            {
                var resent = ContractReader.ReadResent(reply);
                call.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resent {resent} dead letter{(resent == 1 ? "" : "s")} of subscription {call.Namespace}/{call.Parse.GetValue(subscription)}"));
            });
        return command;
    }
}
