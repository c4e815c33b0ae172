using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Codecs;

namespace Vanus.Cli.Tests;

public sealed class SubscriptionCommandsTests : FakeNodeTests
{
    private const string Hook = "http://127.0.0.1:9000/hook";
    private const string Subs = "/api/v1/namespaces/default/subscriptions";

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders", eventlogs: 2);
    }

    private void AddHook(string extra = "", string state = "running") =>
        Node.AddSubscription($$"""{"name":"hook","eventbus":"orders","sink":"{{Hook}}"{{extra}}}""", state: state);

    [Fact]
    public async Task Create_from_flags_sends_the_contract_document_in_its_order()
    {
        var run = await CliRunner.RunAsync(Node,
            "subscription", "create", "hook", "--eventbus", "orders", "--sink", Hook,
            "--filter", """{"exact":{"type":"order.created"}}""", "--sql", "amount > 100", "--filter", """{"prefix":{"source":"shop/"}}""",
            "--transformer", """{"define":{"id":"$.data.id"},"template":"{\"order\":\"<id>\"}"}""",
            "--delay", "90s", "--protocol", "http", "--mode", "structured", "--header", "Authorization=Bearer abc", "--header", "X-Team=a=b",
            "--max-attempts", "5", "--backoff", "250ms, 1s,60m", "--timeout", "2s", "--no-dead-letter", "--ordered", "--inflight", "16",
            "--rate-limit", "2.5", "--from", "2026-11-27T17:00:00+01:00");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(Subs, request.Path);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal(
            """{"name":"hook","eventbus":"orders","filters":[{"exact":{"type":"order.created"}},{"prefix":{"source":"shop/"}},{"sql":"amount > 100"}],"transformer":{"define":{"id":"$.data.id"},"template":"{\"order\":\"<id>\"}"},"delay":"90s","sink":"http://127.0.0.1:9000/hook","protocol":"http","mode":"structured","sinkHeaders":{"Authorization":"Bearer abc","X-Team":"a=b"},"delivery":{"maxAttempts":5,"backoff":["250ms","1s","1h"],"timeout":"2s","deadLetter":false,"ordered":true,"inflight":16,"rateLimit":2.5},"from":"2026-11-27T16:00:00Z"}""",
            request.BodyText);
        Assert.Equal("created subscription default/hook", run.OutLines[0]);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Contains("eventbus: orders", lines);
        Assert.Contains("state: running", lines);
        Assert.Contains("sink: http://127.0.0.1:9000/hook", lines);
        Assert.Contains("""filters: [{"exact":{"type":"order.created"}},{"prefix":{"source":"shop/"}},{"sql":"amount > 100"}]""", lines);
        Assert.Contains("""transformer: {"define":{"id":"$.data.id"},"template":"{\"order\":\"<id>\"}"}""", lines);
        Assert.Contains("delivery: maxAttempts=5, backoff=250ms,1s,1h, timeout=2s, deadLetter=false, ordered=true, inflight=16, rateLimit=2.5", lines);
        Assert.Contains("sinkHeaders: Authorization=Bearer abc, X-Team=a=b", lines);
        Assert.Contains("lastError: -", lines);
        var header = Array.FindIndex(lines, l => l.StartsWith("EVENTLOG", StringComparison.Ordinal));
        Assert.Equal("EVENTLOG COMMITTED NEXT LAG DELIVERED FAILED DEAD-LETTERED DROPPED RETRYING LAST ERROR", lines[header]);
        Assert.Equal(["0 0 0 0 0 0 0 0 0 -", "1 0 0 0 0 0 0 0 0 -"], lines[(header + 1)..]);
    }

    [Fact]
    public async Task Create_with_only_the_required_flags_leaves_every_default_to_the_node()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "create", "hook", "--eventbus", "orders", "--sink", Hook);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""", Assert.Single(Node.Requests).BodyText);
        Assert.Equal(["hook"], Node.SubscriptionNames());
    }

    [Fact]
    public async Task Create_of_a_pull_subscription_needs_no_sink()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "create", "puller", "--eventbus", "orders", "--protocol", "pull", "--from", "earliest");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"puller","eventbus":"orders","protocol":"pull","from":"earliest"}""", Assert.Single(Node.Requests).BodyText);
        Assert.Contains("sink: (pull)", run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Create_from_standard_input_takes_the_name_from_the_document_and_leaves_status_out()
    {
        var document = """
            {
              // as 'subscription info -o json' printed it, edited
              "name": "hook", "eventbus": "orders", "sink": "http://127.0.0.1:9000/hook", "state": "running",
              "delivered": 10, "eventlogs": [], "lastError": null, "namespace": "default", "createdAt": "2026-01-01T00:00:00Z",
              "delivery": { "maxAttempts": 3 },
            }
            """;

        var run = await CliRunner.RunAsync(["subscription", "create", "--file", "-", "--endpoint", Node.Endpoint.AbsoluteUri], stdin: Encoding.UTF8.GetBytes(document));

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook","delivery":{"maxAttempts":3}}""", Assert.Single(Node.Requests).BodyText);
        Assert.Equal("created subscription default/hook", run.OutLines[0]);
    }

    [Fact]
    public async Task Create_from_a_file_without_a_name_takes_the_argument_first()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """{"eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""");

            var run = await CliRunner.RunAsync(Node, "subscription", "create", "hook", "-f", path);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""", Assert.Single(Node.Requests).BodyText);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"name":"other","eventbus":"orders"}""", "hook", "names the subscription 'other', but the command line names 'hook'")]
    [InlineData("""{"eventbus":"orders"}""", null, "has no 'name': add it to the document or give NAME")]
    [InlineData("""[1,2]""", null, "must hold one JSON object, the subscription document")]
    [InlineData("""{"name":""", null, "is not JSON")]
    [InlineData("""{"name":7}""", null, "'name' must be a string")]
    public async Task A_document_that_cannot_be_sent_is_a_usage_error(string document, string? name, string message)
    {
        string[] args = name is null ? ["subscription", "create", "--file", "-"] : ["subscription", "create", name, "--file", "-"];

        var run = await CliRunner.RunAsync([.. args, "--endpoint", Node.Endpoint.AbsoluteUri], stdin: Encoding.UTF8.GetBytes(document));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--file '-'", run.Error);
        Assert.Contains(message, run.Error);
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task An_unreadable_file_is_a_usage_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        await CliRunner.RunUsageErrorAsync(Node, $"--file: cannot read '{path}'", "subscription", "create", "--file", path);
    }

    [Fact]
    public async Task Create_with_json_output_prints_the_nodes_document()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "create", "hook", "--eventbus", "orders", "--sink", Hook, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Node.SubscriptionJson("hook"), run.Out.TrimEnd());
    }

    [Fact]
    public async Task Create_of_an_existing_subscription_exits_1_with_the_problem()
    {
        AddHook();

        var run = await CliRunner.RunAsync(Node, "subscription", "create", "hook", "--eventbus", "orders", "--sink", Hook);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith("error: Subscription exists", run.Error);
        Assert.Contains("subscription 'hook' already exists in namespace 'default'", run.Error);
        Assert.Contains("409", run.Error);
    }

    [Fact]
    public async Task A_document_the_node_refuses_shows_the_field_it_names()
    {
        var run = await CliRunner.RunAsync(["subscription", "create", "--file", "-", "--endpoint", Node.Endpoint.AbsoluteUri],
            stdin: """{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook","delivery":{"maxAttempts":40}}"""u8.ToArray());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: Invalid subscription", run.Error);
        Assert.Contains("'delivery.maxAttempts' must be 1..32, not 40", run.Error);
        Assert.Contains("delivery.maxAttempts", run.Error.Split('\n').Single(l => l.TrimStart().StartsWith("field:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_subscription_to_an_unknown_eventbus_is_refused_by_the_node()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "create", "hook", "--eventbus", "nope", "--sink", Hook, "-o", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        using var problem = JsonDocument.Parse(run.Error);
        Assert.Equal("eventbus", problem.RootElement.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("--eventbus is required", "hook", "--sink", Hook)]
    [InlineData("--sink is required", "hook", "--eventbus", "orders")]
    [InlineData("give the subscription's NAME", "--eventbus", "orders", "--sink", Hook)]
    [InlineData("--protocol pull has no sink", "hook", "--eventbus", "orders", "--sink", Hook, "--protocol", "pull")]
    [InlineData("--sink must be an absolute http:// or https:// URL", "hook", "--eventbus", "orders", "--sink", "127.0.0.1:9000/hook")]
    [InlineData("--sink must be an absolute http:// or https:// URL", "hook", "--eventbus", "orders", "--sink", "ftp://host/x")]
    [InlineData("--backoff '1s,,5s': entry 2 is empty", "hook", "--eventbus", "orders", "--sink", Hook, "--backoff", "1s,,5s")]
    [InlineData("--backoff '1s,5': entry 2: '5' has no unit", "hook", "--eventbus", "orders", "--sink", Hook, "--backoff", "1s,5")]
    [InlineData("--backoff '-1s': entry 1", "hook", "--eventbus", "orders", "--sink", Hook, "--backoff", "-1s")]
    [InlineData("--backoff '1w': entry 1: '1w' has unit 'w'", "hook", "--eventbus", "orders", "--sink", Hook, "--backoff", "1w")]
    [InlineData("--from must be earliest, latest or an RFC 3339 time", "hook", "--eventbus", "orders", "--sink", Hook, "--from", "yesterday")]
    [InlineData("--from must be earliest, latest or an RFC 3339 time", "hook", "--eventbus", "orders", "--sink", Hook, "--from", "2026-11-27")]
    [InlineData("--filter '{\"exact\":' is not JSON", "hook", "--eventbus", "orders", "--sink", Hook, "--filter", "{\"exact\":")]
    [InlineData("--filter 'type=order.created' is not JSON", "hook", "--eventbus", "orders", "--sink", Hook, "--filter", "type=order.created")]
    [InlineData("--filter '[1]' must be a JSON object", "hook", "--eventbus", "orders", "--sink", Hook, "--filter", "[1]")]
    [InlineData("--filter '{}' is an empty object", "hook", "--eventbus", "orders", "--sink", Hook, "--filter", "{}")]
    [InlineData("--sql must not be empty", "hook", "--eventbus", "orders", "--sink", Hook, "--sql", " ")]
    [InlineData("--transformer '\"x\"' must be a JSON object", "hook", "--eventbus", "orders", "--sink", Hook, "--transformer", "\"x\"")]
    [InlineData("--header 'Authorization' must be NAME=VALUE", "hook", "--eventbus", "orders", "--sink", Hook, "--header", "Authorization")]
    [InlineData("'X Team' is not an HTTP header name", "hook", "--eventbus", "orders", "--sink", Hook, "--header", "X Team=a")]
    [InlineData("--header 'x-a' is given more than once", "hook", "--eventbus", "orders", "--sink", Hook, "--header", "X-A=1", "--header", "x-a=2")]
    [InlineData("--max-attempts must be from 1 to 32, not 33", "hook", "--eventbus", "orders", "--sink", Hook, "--max-attempts", "33")]
    [InlineData("--max-attempts must be a whole number, not 'many'", "hook", "--eventbus", "orders", "--sink", Hook, "--max-attempts", "many")]
    [InlineData("--inflight must be from 1 to 65536, not 0", "hook", "--eventbus", "orders", "--sink", Hook, "--inflight", "0")]
    [InlineData("--rate-limit must be from 0 to", "hook", "--eventbus", "orders", "--sink", Hook, "--rate-limit", "-1")]
    [InlineData("--timeout: '0s' must be longer than zero", "hook", "--eventbus", "orders", "--sink", Hook, "--timeout", "0s")]
    [InlineData("--delay: '5' has no unit", "hook", "--eventbus", "orders", "--sink", Hook, "--delay", "5")]
    [InlineData("'batch'", "hook", "--eventbus", "orders", "--sink", Hook, "--mode", "batch")]
    [InlineData("'grpc'", "hook", "--eventbus", "orders", "--sink", Hook, "--protocol", "grpc")]
    [InlineData("--file gives the whole document: leave out --eventbus, --max-attempts", "hook", "--file", "-", "--eventbus", "orders", "--max-attempts", "3")]
    public async Task Bad_create_flags_fail_with_exit_2_before_any_request(string message, params string[] args)
    {
        var run = await CliRunner.RunUsageErrorAsync(Node, message, ["subscription", "create", .. args]);
        Assert.Contains("See 'vanus subscription create --help'.", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task List_prints_state_sink_lag_counts_and_the_last_error()
    {
        AddHook();
        Node.AddSubscription("""{"name":"puller","eventbus":"orders","protocol":"pull"}""", state: "paused");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t")).ExitCode);
        }

        await Node.DeliveriesIdleAsync();
        Node.SetTrigger("hook", 0, committed: 1, delivered: 7, deadLettered: 2, lastError: "the sink answered 503", lastErrorTime: new DateTimeOffset(2026, 11, 27, 16, 5, 0, TimeSpan.Zero));
        Node.SetTrigger("hook", 1, committed: 2, delivered: 1, lastError: "connection refused", lastErrorTime: new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

        var run = await CliRunner.RunAsync(Node, "subscription", "list");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var lines = run.OutLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("NAME EVENTBUS STATE SINK LAG DELIVERED DEAD-LETTERED LAST ERROR", Squeeze(lines[0]));
        // orders holds 3 events in eventlog 0 and 2 in eventlog 1; hook has committed 1 and 2 of them.
        Assert.Equal("hook orders running http://127.0.0.1:9000/hook 2 8 2 the sink answered 503", Squeeze(lines[1]));
        Assert.Equal("puller orders paused (pull) 5 0 0 -", Squeeze(lines[2]));
        foreach (var column in new[] { "EVENTBUS", "STATE", "SINK", "LAG", "DELIVERED", "DEAD-LETTERED", "LAST ERROR" })
        {
            var at = lines[0].IndexOf(column, StringComparison.Ordinal);
            Assert.All(lines[1..], l => Assert.NotEqual(' ', l[at]));
        }
    }

    [Fact]
    public async Task List_of_an_empty_namespace_says_so_and_json_prints_the_array()
    {
        var empty = await CliRunner.RunAsync(Node, "subscription", "list");
        AddHook();
        var json = await CliRunner.RunAsync(Node, "subscription", "list", "-o", "json");

        Assert.Equal("no subscriptions in namespace default", empty.Out.TrimEnd());
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("hook", Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("GET", Node.Requests.Last().Method);
        Assert.Equal(Subs, Node.Requests.Last().Path);
    }

    [Fact]
    public async Task Info_prints_the_document_counts_and_each_eventlogs_progress()
    {
        AddHook(""","filters":[{"sql":"amount > 100"}],"delivery":{"maxAttempts":3,"backoff":["1s","5s"]}""");
        await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t");
        await Node.DeliveriesIdleAsync();
        Node.SetTrigger("hook", 0, committed: 0, failed: 4, pendingRetries: 1, lastError: "the sink answered 503", lastErrorTime: new DateTimeOffset(2026, 11, 27, 16, 5, 0, TimeSpan.Zero));

        var run = await CliRunner.RunAsync(Node, "subscription", "info", "hook");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("GET", Assert.Single(Node.RequestsTo(Subs)).Method);
        Assert.Equal(Subs + "/hook", Node.RequestsTo(Subs)[0].Path);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Equal("name: hook", lines[0]);
        Assert.Equal(
            [
                "name: hook", "namespace: default", "eventbus: orders", "state: running", "createdAt: 2026-11-27T16:00:00Z",
                "sink: http://127.0.0.1:9000/hook", """filters: [{"sql":"amount > 100"}]""", "delivery: maxAttempts=3, backoff=1s,5s",
                "delivered: 0", "failed: 4", "deadLettered: 0", "dropped: 0", "lastError: the sink answered 503 (at 2026-11-27T16:05:00Z)",
            ],
            lines[..13]);
        Assert.Equal("EVENTLOG COMMITTED NEXT LAG DELIVERED FAILED DEAD-LETTERED DROPPED RETRYING LAST ERROR", lines[13]);
        Assert.Equal("0 0 1 1 0 4 0 0 1 the sink answered 503 (at 2026-11-27T16:05:00Z)", lines[14]);
        Assert.Equal("1 0 0 0 0 0 0 0 0 -", lines[15]);
    }

    [Fact]
    public async Task Info_with_json_output_prints_the_nodes_document()
    {
        AddHook();

        var run = await CliRunner.RunAsync(Node, "subscription", "info", "hook", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Node.SubscriptionJson("hook"), run.Out.TrimEnd());
    }

    [Fact]
    public async Task Info_of_an_unknown_subscription_exits_1_with_the_problem()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "info", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith("error: Subscription not found", run.Error);
        Assert.Contains("subscription 'nope' does not exist in namespace 'default'", run.Error);
    }

    [Fact]
    public async Task Update_with_flags_changes_those_parts_of_the_current_document()
    {
        AddHook(",\"filters\":[{\"sql\":\"a > 1\"}],\"sinkHeaders\":{\"X-A\":\"1\"},\"delivery\":{\"maxAttempts\":3,\"ordered\":true},\"from\":\"earliest\"");

        var run = await CliRunner.RunAsync(Node, "subscription", "update", "hook", "--sink", "https://example.com/new", "--sql", "b > 2", "--max-attempts", "7", "--ordered", "false", "--no-dead-letter");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var requests = Node.RequestsTo(Subs);
        Assert.Equal(["GET", "PUT"], requests.Select(r => r.Method));
        Assert.All(requests, r => Assert.Equal(Subs + "/hook", r.Path));
        Assert.Equal(
            """{"name":"hook","eventbus":"orders","sink":"https://example.com/new","filters":[{"sql":"b > 2"}],"sinkHeaders":{"X-A":"1"},"delivery":{"maxAttempts":7,"ordered":false,"deadLetter":false},"from":"earliest"}""",
            requests[1].BodyText);
        Assert.Equal("updated subscription default/hook", run.OutLines[0]);
        Assert.Contains("sink: https://example.com/new", run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Update_can_remove_the_filters_and_the_transformer_and_switch_to_pull()
    {
        AddHook(""","filters":[{"sql":"a > 1"}],"transformer":{"template":"x"}""");

        var run = await CliRunner.RunAsync(Node, "subscription", "update", "hook", "--no-filters", "--no-transformer", "--protocol", "pull");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"hook","eventbus":"orders","protocol":"pull"}""", Node.RequestsTo(Subs)[1].BodyText);
    }

    [Fact]
    public async Task Update_from_a_file_replaces_the_whole_document_without_reading_it_first()
    {
        AddHook(""","delivery":{"maxAttempts":3}""");

        var run = await CliRunner.RunAsync(["subscription", "update", "hook", "--file", "-", "-o", "json", "--endpoint", Node.Endpoint.AbsoluteUri],
            stdin: """{"eventbus":"orders","sink":"http://127.0.0.1:9001/other","state":"paused"}"""u8.ToArray());

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9001/other"}""", request.BodyText);
        Assert.Equal(Node.SubscriptionJson("hook"), run.Out.TrimEnd());
        Assert.DoesNotContain("maxAttempts", run.Out);
    }

    [Theory]
    [InlineData("nothing to update", "hook")]
    [InlineData("--no-filters removes every filter", "hook", "--no-filters", "--sql", "a > 1")]
    [InlineData("--no-transformer and --transformer cannot be used together", "hook", "--no-transformer", "--transformer", "{\"template\":\"x\"}")]
    [InlineData("--protocol pull has no sink", "hook", "--protocol", "pull", "--sink", Hook)]
    [InlineData("give the subscription's NAME", "--max-attempts", "3")]
    [InlineData("--file gives the whole document: leave out --sink", "hook", "--file", "x.json", "--sink", Hook)]
    [InlineData("--backoff '5s,x'", "hook", "--backoff", "5s,x")]
    [InlineData("Unrecognized command or argument '--eventbus'", "hook", "--eventbus", "other")]
    [InlineData("Unrecognized command or argument '--from'", "hook", "--from", "earliest")]
    public async Task Bad_update_flags_fail_with_exit_2_before_any_request(string message, params string[] args)
    {
        AddHook();

        await CliRunner.RunUsageErrorAsync(Node, message, ["subscription", "update", .. args]);
    }

    [Fact]
    public async Task Update_of_an_unknown_subscription_exits_1_after_reading_it()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "update", "nope", "--max-attempts", "3");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("GET", Assert.Single(Node.Requests).Method);
        Assert.Contains("subscription 'nope' does not exist", run.Error);
    }

    [Fact]
    public async Task Delete_removes_the_subscription_and_a_second_delete_is_refused()
    {
        AddHook();

        var first = await CliRunner.RunAsync(Node, "subscription", "delete", "hook");
        var second = await CliRunner.RunAsync(Node, "subscription", "delete", "hook", "-o", "json");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal("deleted subscription default/hook", first.Out.TrimEnd());
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("", second.Out);
        Assert.Contains("Subscription not found", second.Error);
        Assert.All(Node.Requests, r => Assert.Equal(("DELETE", Subs + "/hook"), (r.Method, r.Path)));
        Assert.Empty(Node.SubscriptionNames());
    }

    [Fact]
    public async Task Pause_and_resume_post_to_their_paths_and_print_the_new_state()
    {
        AddHook();

        var pause = await CliRunner.RunAsync(Node, "subscription", "pause", "hook");
        var paused = Node.SubscriptionJson("hook");
        var resume = await CliRunner.RunAsync(Node, "subscription", "resume", "hook", "-o", "json");

        Assert.Equal(0, pause.ExitCode);
        Assert.Equal("paused subscription default/hook (state: paused)", pause.Out.TrimEnd());
        Assert.Contains("\"state\":\"paused\"", paused);
        Assert.Equal(0, resume.ExitCode);
        Assert.Equal(Node.SubscriptionJson("hook"), resume.Out.TrimEnd());
        Assert.Contains("\"state\":\"running\"", resume.Out);
        Assert.Equal([("POST", Subs + "/hook/pause", 0), ("POST", Subs + "/hook/resume", 0)], Node.Requests.Select(r => (r.Method, r.Path, r.Body.Length)));
    }

    [Fact]
    public async Task Reset_sends_the_time_and_is_refused_while_running()
    {
        AddHook();

        var running = await CliRunner.RunAsync(Node, "subscription", "reset", "hook", "--time", "2026-11-27T17:00:00+01:00");
        await CliRunner.RunAsync(Node, "subscription", "pause", "hook");
        var reset = await CliRunner.RunAsync(Node, "subscription", "reset", "hook", "--time", "2026-11-27T17:00:00+01:00");

        Assert.Equal(1, running.ExitCode);
        Assert.StartsWith("error: Subscription is running", running.Error);
        Assert.Equal(0, reset.ExitCode);
        Assert.Equal("reset subscription default/hook to 2026-11-27T16:00:00Z", reset.Out.TrimEnd());
        var request = Node.Requests.Last();
        Assert.Equal(("POST", Subs + "/hook/reset"), (request.Method, request.Path));
        Assert.Equal("""{"time":"2026-11-27T16:00:00Z"}""", request.BodyText);
    }

    [Theory]
    [InlineData("--time")]
    [InlineData("--time must be an RFC 3339 timestamp", "--time", "noon")]
    public async Task Reset_without_a_valid_time_is_a_usage_error(string message, params string[] args)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["subscription", "reset", "hook", .. args]);
    }

    [Fact]
    public async Task Validate_sends_the_event_as_put_builds_it_and_prints_what_would_be_delivered()
    {
        AddHook(""","filters":[{"exact":{"type":"order.created"}}]""");

        var run = await CliRunner.RunAsync(["subscription", "validate", "hook", "--id", "e-1", "--type", "order.created", "--source", "shop", "--attr", "region=eu", "--partition-key", "k", "--datacontenttype", "application/json", "--data-file", "-", "--endpoint", Node.Endpoint.AbsoluteUri],
            stdin: """{"amount":120}"""u8.ToArray());

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal(("POST", Subs + "/hook/validate"), (request.Method, request.Path));
        Assert.StartsWith(JsonEventFormat.StructuredMediaType, request.ContentType);
        var sent = JsonEventFormat.Decode(request.Body);
        Assert.Equal(("e-1", "shop", "order.created", "application/json"), (sent.Id, sent.Source, sent.Type, sent.DataContentType));
        Assert.Equal("eu", sent.Extensions.TryGet("region", out var region) ? region.ToString() : null);
        Assert.Equal("k", sent.Extensions.TryGet("partitionkey", out var key) ? key.ToString() : null);
        Assert.Equal("""{"amount":120}""", sent.DataText);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Equal(["filter: passed", "delivered: yes", "error: -", "event 1 of 1:"], lines[..4]);
        Assert.Contains("id: e-1", lines);
        Assert.Contains("type: order.created", lines);
        Assert.Contains("region: eu", lines);
        Assert.Contains("""data: {"amount":120}""", lines);
    }

    [Fact]
    public async Task Validate_of_an_event_the_filter_drops_prints_no_event()
    {
        AddHook(""","filters":[{"exact":{"type":"order.created"}}]""");

        var run = await CliRunner.RunAsync(Node, "subscription", "validate", "hook", "--type", "order.cancelled");

        Assert.True(run.Error.Length == 0, run.Error);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["filter: did not pass", "delivered: no", "error: -"], run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Validate_prints_where_the_transformer_failed()
    {
        Node.Override = async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""{"filterPassed":true,"delivered":false,"events":[],"error":{"action":"render","pipelineIndex":2,"reason":"missing","message":"$.data.id is not in the event"}}""");
            return true;
        };

        var run = await CliRunner.RunAsync(Node, "subscription", "validate", "hook", "--type", "t");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["filter: passed", "delivered: no", "error: action=render, pipelineIndex=2, reason=missing, message=$.data.id is not in the event"],
            run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Validate_with_json_output_prints_the_nodes_answer()
    {
        AddHook();

        var run = await CliRunner.RunAsync(Node, "subscription", "validate", "hook", "--type", "t", "--id", "x", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.True(doc.RootElement.GetProperty("filterPassed").GetBoolean());
        Assert.Equal("x", doc.RootElement.GetProperty("events")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Validate_answered_outside_the_contract_exits_1()
    {
        Node.Override = async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""{"ok":true}""");
            return true;
        };

        var run = await CliRunner.RunAsync(Node, "subscription", "validate", "hook", "--type", "t");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("its body is not a validation result with 'filterPassed'", run.Error);
    }

    [Theory]
    [InlineData("--type")]
    [InlineData("--data and --data-file cannot be used together", "--type", "t", "--data", "x", "--data-file", "-")]
    [InlineData("'id' is a core attribute", "--type", "t", "--attr", "id=1")]
    [InlineData("repeats what another flag of this command sets", "--type", "t", "--attr", "partitionkey=a", "--partition-key", "b")]
    [InlineData("Unrecognized command or argument '--delay'", "--type", "t", "--delay", "5s")]
    public async Task Bad_validate_flags_fail_with_exit_2(string message, params string[] args)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["subscription", "validate", "hook", .. args]);
    }

    [Fact]
    public async Task Another_namespace_and_escaped_names_use_their_paths()
    {
        var run = await CliRunner.RunAsync(Node, "subscription", "info", "a b/c", "--namespace", "shop");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("/api/v1/namespaces/shop/subscriptions/a b/c", Assert.Single(Node.Requests).Path.Replace("%2F", "/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("subscription", "list")]
    [InlineData("subscription", "create", "hook", "--eventbus", "orders", "--sink", Hook)]
    [InlineData("subscription", "info", "hook")]
    [InlineData("subscription", "update", "hook", "--max-attempts", "3")]
    [InlineData("subscription", "delete", "hook")]
    [InlineData("subscription", "pause", "hook")]
    [InlineData("subscription", "resume", "hook")]
    [InlineData("subscription", "reset", "hook", "--time", "2026-01-01T00:00:00Z")]
    [InlineData("subscription", "validate", "hook", "--type", "t")]
    [InlineData("deadletter", "list", "hook")]
    [InlineData("deadletter", "resend", "hook")]
    public async Task An_unreachable_node_exits_3_naming_the_endpoint(params string[] args)
    {
        var endpoint = DeadEndpoint();

        var run = await CliRunner.RunAsync([.. args, "--endpoint", endpoint]);

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: cannot reach the Vanus node at {endpoint}/: ", run.Error);
        Assert.Equal("", run.Out);
    }

    private static string DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
