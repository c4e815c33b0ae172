using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vanus.Cli.Client;
using Vanus.Cli.Output;
using Vanus.Client;

namespace Vanus.Cli.Commands;

/// <summary>
/// The <c>vanus schedule</c> verbs: create, list, describe and delete scheduled events (an event template emitted into an
/// eventbus on a cron expression or at an interval) through the management API.
/// </summary>
internal static class ScheduleCommands
{
    public static Command Create(CliEnvironment env) => ClientCall.Group(
        "schedule",
        "Create, list, describe and delete scheduled events: an event emitted into an eventbus on a cron expression or at an interval",
        env,
        CreateCreate,
        CreateList,
        CreateInfo,
        CreateDelete);

    private static Argument<string> NameArgument() => new("NAME") { Description = "The schedule's name" };

    private static Command CreateCreate(ClientOptions options, CliEnvironment env)
    {
        var flags = new ScheduleFlags();
        var command = flags.AddTo(new Command(
            "create",
            "Create a schedule from flags (the event as for 'vanus event put'; each occurrence sets its id and time) or from a document (--file)"));
        ClientCall.SetRequestAction(command, options, env,
            async (call, ct) =>
            {
                var document = await flags.BuildAsync(call.Parse, call.Env, ct).ConfigureAwait(false);
                var content = new ByteArrayContent(DocumentFile.ToBody(document));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                var reply = await call.Client.SendAsync(HttpMethod.Post, call.Client.ManagementPath("schedules"), content, ct).ConfigureAwait(false);
                return (reply, DocumentFile.NameOf(document));
            },
            (call, reply, name) => call.PrintDone($"created schedule {call.Namespace}/{name}", reply, Describe));
        return command;
    }

    private static Command CreateList(ClientOptions options, CliEnvironment env)
    {
        var command = new Command("list", "List the schedules of a namespace with when they fire, their next occurrence and counts");
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.SendAsync(HttpMethod.Get, call.Client.ManagementPath("schedules"), null, ct),
            (call, reply) =>
            {
                using var json = Parse(reply);
                if (json.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw Unexpected(reply, "a JSON array of schedules");
                }

                call.PrintList(
                    json.RootElement.EnumerateArray().Select(s => Schedule(s, reply)).ToList(),
                    $"no schedules in namespace {call.Namespace}",
                    new Table("NAME", "EVENTBUS", "WHEN", "STATE", "NEXT", "LAST FIRED", "FIRED", "MISSED", "LAST ERROR"),
                    s =>
                    [
                        Text(s, "name"),
                        Text(s, "eventbus"),
                        When(s),
                        Text(s, "state"),
                        Text(s, "nextOccurrence"),
                        Text(s, "lastFired"),
                        Text(s, "fired"),
                        Text(s, "missed"),
                        s.TryGetProperty("lastError", out var error) && error.ValueKind == JsonValueKind.Object ? Table.Fit(Text(error, "message"), 60) : "-",
                    ]);
            });
        return command;
    }

    private static Command CreateInfo(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "info", "Describe a schedule: its document, state, next occurrence, last fired occurrence and counts", NameArgument(),
            (client, name, ct) => client.SendAsync(HttpMethod.Get, client.ManagementPath("schedules", name), null, ct), (call, _, reply) => Describe(call.Out, reply));

    private static Command CreateDelete(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "delete", "Delete a schedule: nothing more is emitted once the command returns (events already emitted stay in the eventbus)", NameArgument(),
            (client, name, ct) => client.SendAsync(HttpMethod.Delete, client.ManagementPath("schedules", name), null, ct), (call, name, _) => call.Out.WriteLine($"deleted schedule {call.Namespace}/{name}"));

    private static void Describe(TextWriter output, ApiAnswer reply)
    {
        using var json = Parse(reply);
        PrintInfo(output, Schedule(json.RootElement, reply));
    }

    private static void PrintInfo(TextWriter output, JsonElement s)
    {
        var properties = new List<KeyValuePair<string, string>>
        {
            new("name", Text(s, "name")),
            new("namespace", Text(s, "namespace")),
            new("eventbus", Text(s, "eventbus")),
        };
        if (s.TryGetProperty("cron", out var cron) && cron.ValueKind == JsonValueKind.String)
        {
            properties.Add(new("cron", cron.GetString()!));
            properties.Add(new("timezone", Text(s, "timezone")));
        }
        else
        {
            properties.Add(new("interval", Text(s, "interval")));
        }

        properties.Add(new("event", s.TryGetProperty("event", out var template) && template.ValueKind == JsonValueKind.Object ? Compact(template) : "-"));
        foreach (var member in new[] { "state", "createdAt", "nextOccurrence", "lastFired", "fired", "missed" })
        {
            properties.Add(new(member, Text(s, member)));
        }

        properties.Add(new("lastError", s.TryGetProperty("lastError", out var error) && error.ValueKind == JsonValueKind.Object
            ? $"{Table.Fit(Text(error, "message"), 120)} (at {Text(error, "time")})"
            : "-"));
        Table.WriteProperties(output, properties);
    }

    /// <summary>When a schedule fires, as one cell: its cron expression and zone, or its interval.</summary>
    private static string When(JsonElement s) =>
        s.TryGetProperty("cron", out var cron) && cron.ValueKind == JsonValueKind.String
            ? $"cron {cron.GetString()} ({Text(s, "timezone")})"
            : $"every {Text(s, "interval")}";

    private static string Text(JsonElement s, string member) => s.TryGetProperty(member, out var value) ? ContractReader.Cell(value) : "-";

    private static string Compact(JsonElement value)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping: the template reads as written.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static JsonDocument Parse(ApiAnswer reply)
    {
        try
        {
            return JsonDocument.Parse(reply.Body);
        }
        catch (JsonException e)
        {
            throw new UnexpectedReplyException($"error: the node answered {reply.Status} but its body is not JSON ({e.Message})");
        }
    }

    private static JsonElement Schedule(JsonElement value, ApiAnswer reply) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("name", out _) ? value : throw Unexpected(reply, "a schedule document (a JSON object with a name)");

    private static UnexpectedReplyException Unexpected(ApiAnswer reply, string what) =>
        new($"error: the node answered {reply.Status} but its body is not {what}");
}
