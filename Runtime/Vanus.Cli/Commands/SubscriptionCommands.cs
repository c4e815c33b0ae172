using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Cli.Client;
using Vanus.Cli.Output;
using Vanus.Client;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;

namespace Vanus.Cli.Commands;

/// <summary>
/// The <c>vanus subscription</c> verbs: create, list, describe, change, delete, pause, resume, reset and dry-run
/// subscriptions (eventbus → filters → transformer → sink) through the management API.
/// </summary>
internal static class SubscriptionCommands
{
    public static Command Create(CliEnvironment env) => ClientCall.Group(
        "subscription",
        "Create, describe, change and control subscriptions: eventbus → filters → transformer → sink",
        env,
        CreateCreate,
        CreateList,
        CreateInfo,
        CreateUpdate,
        CreateDelete,
        (options, e) => CreateLifecycle(options, e, "pause", "paused", "Pause a subscription: its triggers stop delivering and keep their offsets"),
        (options, e) => CreateLifecycle(options, e, "resume", "resumed", "Resume a paused subscription from its committed offsets"),
        CreateReset,
        CreateValidate);

    private static Argument<string> NameArgument() => new("NAME") { Description = "The subscription's name" };

    private static Command CreateCreate(ClientOptions options, CliEnvironment env)
    {
        var flags = new SubscriptionFlags(update: false);
        var command = flags.AddTo(new Command("create", "Create a subscription from flags or from a document (--file)"));
        ClientCall.SetRequestAction(command, options, env,
            async (call, ct) =>
            {
                var document = await flags.BuildAsync(call.Parse, call.Env, null, ct).ConfigureAwait(false);
                var name = DocumentFile.NameOf(document);
                return (await call.Client.CreateSubscriptionAsync(DocumentFile.ToBody(document), ct).ConfigureAwait(false), name);
            },
            (call, reply, name) => call.PrintDone($"created subscription {call.Namespace}/{name}", reply, Describe));
        return command;
    }

    private static Command CreateUpdate(ClientOptions options, CliEnvironment env)
    {
        var flags = new SubscriptionFlags(update: true);
        var command = flags.AddTo(new Command(
            "update",
            "Change a subscription: the flags given replace those parts of its current document (--filter and --sql replace every filter), or --file replaces the whole document"));
        ClientCall.SetRequestAction(command, options, env,
            async (call, ct) =>
            {
                var p = call.Parse;
                var name = p.GetValue(flags.Name);
                JsonObject? current = null;
                if (p.GetValue(flags.File) is null)
                {
                    // Flags change parts of the document, so the rest comes from what the node holds now.
                    current = SubscriptionFlags.FromReply(ClientCall.Accept(await call.Client.GetSubscriptionAsync(name!, ct).ConfigureAwait(false)));
                    current["name"] = name;
                }

                var document = await flags.BuildAsync(p, call.Env, current, ct).ConfigureAwait(false);
                name = DocumentFile.NameOf(document);
                return (await call.Client.ReplaceSubscriptionAsync(name, DocumentFile.ToBody(document), ct).ConfigureAwait(false), name);
            },
            (call, reply, name) => call.PrintDone($"updated subscription {call.Namespace}/{name}", reply, Describe));
        return command;
    }

    private static Command CreateList(ClientOptions options, CliEnvironment env)
    {
        var command = new Command("list", "List the subscriptions of a namespace with their state, lag, counts and last sink error");
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.ListSubscriptionsAsync(ct),
            (call, reply) => call.PrintList(
                ContractReader.ReadSubscriptionList(reply),
                $"no subscriptions in namespace {call.Namespace}",
                new Table("NAME", "EVENTBUS", "STATE", "SINK", "LAG", "DELIVERED", "DEAD-LETTERED", "LAST ERROR"),
                s =>
                [
                    s.Name ?? "-",
                    s.Eventbus ?? "-",
                    s.State ?? "-",
                    SinkCell(s),
                    s.Eventlogs is { } logs ? Number(logs.Sum(l => l.Lag)) : "-",
                    Number(s.Delivered),
                    Number(s.DeadLettered),
                    s.LastError?.Message is { } message ? Table.Fit(message, 60) : "-",
                ]));
        return command;
    }

    private static Command CreateInfo(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "info", "Describe a subscription: its document, state, counts and each eventlog's committed offset and lag", NameArgument(),
            (client, name, ct) => client.GetSubscriptionAsync(name, ct), (call, _, reply) => Describe(call.Out, reply));

    private static Command CreateDelete(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "delete", "Delete a subscription and its committed offsets (its dead letters stay on the dead-letter bus)", NameArgument(),
            (client, name, ct) => client.DeleteSubscriptionAsync(name, ct), (call, name, _) => call.Out.WriteLine($"deleted subscription {call.Namespace}/{name}"));

    private static Command CreateLifecycle(ClientOptions options, CliEnvironment env, string action, string done, string description) =>
        ClientCall.NamedVerb(options, env, action, description, NameArgument(),
            (client, name, ct) => client.SubscriptionLifecycleAsync(name, action, ct),
            (call, name, reply) =>
            {
                var state = (reply.Body.Length > 0) ? ContractReader.ReadSubscription(reply).State : null;
                call.Out.WriteLine($"{done} subscription {call.Namespace}/{name}{(state is null ? "" : $" (state: {state})")}");
            });

    private static Command CreateReset(ClientOptions options, CliEnvironment env)
    {
        var name = NameArgument();
        var time = OptionParsers.Timestamp("--time", "Move every eventlog's committed offset to the first event stored at or after this time");
        time.Required = true;
        var command = new Command("reset", "Reset a paused subscription's offsets to a time: it redelivers (or skips) from there when resumed") { name, time };
        string At(ClientCall call) => Runtime.Events.Rfc3339.Format(call.Parse.GetValue(time)!.Value);
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.ResetSubscriptionAsync(call.Parse.GetValue(name)!, At(call), ct),
            (call, _) => call.Out.WriteLine($"reset subscription {call.Namespace}/{call.Parse.GetValue(name)} to {At(call)}"));
        return command;
    }

    private static Command CreateValidate(ClientOptions options, CliEnvironment env)
    {
        var name = NameArgument();
        var flags = new EventFlags();
        var command = new Command("validate", "Dry-run a subscription on one event (given as for 'vanus event put'): does it pass the filters, and what would be delivered") { name };
        flags.AddTo(command);
        ClientCall.SetRequestAction(command, options, env,
            async (call, ct) =>
            {
                var e = await flags.BuildAsync(call.Parse, call.Env, [], ct).ConfigureAwait(false);
                return await call.Client.ValidateSubscriptionAsync(call.Parse.GetValue(name)!, HttpBinding.ToHttpContent(e, ContentMode.Structured), ct).ConfigureAwait(false);
            },
            (call, reply) => PrintValidation(call.Out, reply));
        return command;
    }

    private static void PrintValidation(TextWriter output, ApiAnswer reply)
    {
        var (result, events) = ContractReader.ReadValidation(reply);
        var error = result.Error;
        Table.WriteProperties(output,
        [
            new("filter", result.FilterPassed == true ? "passed" : "did not pass"),
            new("delivered", result.Delivered is { } delivered ? (delivered ? "yes" : "no") : "-"),
            new("error", error is null ? "-" : string.Join(", ", new[]
            {
                error.Action is { } a ? $"action={a}" : null,
                error.PipelineIndex is { } index ? string.Create(CultureInfo.InvariantCulture, $"pipelineIndex={index}") : null,
                error.Reason is { } r ? $"reason={r}" : null,
                error.Message is { } m ? $"message={m}" : null,
            }.OfType<string>())),
        ]);
        for (var i = 0; i < events.Count; i++)
        {
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"event {i + 1} of {events.Count}:"));
            EventCommands.PrintEvent(output, events[i]);
        }
    }

    private static void Describe(TextWriter output, ApiAnswer reply) => PrintInfo(output, ContractReader.ReadSubscription(reply));

    private static void PrintInfo(TextWriter output, SubscriptionDocument s)
    {
        var properties = new List<KeyValuePair<string, string>> { new("name", s.Name ?? "-") };
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                properties.Add(new(key, value));
            }
        }

        Add("namespace", s.Namespace);
        Add("eventbus", s.Eventbus ?? "-");
        Add("state", s.State);
        Add("createdAt", s.CreatedAt);
        Add(SubscriptionFields.Sink, SinkCell(s));
        foreach (var (key, value) in s.Other ?? [])
        {
            var text = Render(key, value);
            Add(key, text.Length == 0 ? "-" : text);
        }

        Add("delivered", Number(s.Delivered));
        Add("failed", Number(s.Failed));
        Add("deadLettered", Number(s.DeadLettered));
        Add("dropped", Number(s.Dropped));
        Add("lastError", ErrorCell(s.LastError));
        Table.WriteProperties(output, properties);
        if (s.Eventlogs is not { } logs)
        {
            return;
        }

        var table = new Table("EVENTLOG", "COMMITTED", "NEXT", "LAG", "DELIVERED", "FAILED", "DEAD-LETTERED", "DROPPED", "RETRYING", "LAST ERROR");
        foreach (var log in logs)
        {
            table.Add(
                Number(log.Eventlog),
                Number(log.Committed),
                Number(log.Next),
                Number(log.Lag),
                Number(log.Delivered),
                Number(log.Failed),
                Number(log.DeadLettered),
                Number(log.Dropped),
                Number(log.PendingRetries),
                ErrorCell(log.LastError));
        }

        output.WriteLine();
        table.WriteTo(output);
    }

    private static string SinkCell(SubscriptionDocument s) =>
        s.Sink ?? (s.Other?.TryGetValue(SubscriptionFields.Protocol, out var p) == true && p.ValueKind == JsonValueKind.String && p.GetString() == "pull" ? "(pull)" : "-");

    private static string ErrorCell(SinkErrorDocument? error) => error?.Message is not { } message
        ? "-"
        : error.Time is { } time ? $"{Table.Fit(message, 80)} (at {time})" : Table.Fit(message, 80);

    /// <summary>
    /// A document member as one line: delivery settings and headers as name=value pairs, filters and the transformer as
    /// compact JSON (what --filter and --transformer take), anything else as a plain value.
    /// </summary>
    private static string Render(string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object when key is SubscriptionFields.Delivery or SubscriptionFields.SinkHeaders =>
            string.Join(", ", value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => $"{p.Name}={Render(p.Name, p.Value)}")),
        JsonValueKind.Array when key == SubscriptionFields.Backoff => string.Join(",", value.EnumerateArray().Select(v => Render("", v))),
        JsonValueKind.Object or JsonValueKind.Array => Compact(value),
        _ => ContractReader.Cell(value),
    };

    private static string Compact(JsonElement value)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping: a template such as {"order":"<id>"} reads as written, not as \u003Cid\u003E.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Number<T>(T? value)
        where T : struct, IFormattable => value is { } v ? v.ToString(null, CultureInfo.InvariantCulture) : "-";

    private static string Number<T>(T value)
        where T : struct, IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
