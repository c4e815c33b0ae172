using System.Text.Json;

namespace Vanus.Cli.Tests;

public sealed class EventbusCommandsTests : FakeNodeTests
{

    [Fact]
    public async Task Create_sends_the_contract_document_and_prints_the_new_bus()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders", "--eventlogs", "4", "--replicas", "1", "--sync", "always", "--retention-age", "7d", "--retention-bytes", "10GB");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var request = Assert.Single(Node.RequestsTo("/api/v1/namespaces/default/eventbuses"));
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal("""{"name":"orders","eventlogs":4,"replicas":1,"sync":"always","retention":{"age":"7d","bytes":"10GB"}}""", request.BodyText);
        Assert.Equal("created eventbus default/orders", run.OutLines[0]);
        Assert.Contains(run.OutLines, l => l.StartsWith("sync:", StringComparison.Ordinal) && l.EndsWith("always", StringComparison.Ordinal));
        Assert.Contains(run.OutLines, l => l.StartsWith("retention:", StringComparison.Ordinal) && l.EndsWith("age=7d, bytes=10GB", StringComparison.Ordinal));
        var header = Array.FindIndex(run.OutLines, l => l.StartsWith("EVENTLOG", StringComparison.Ordinal));
        Assert.Equal(["0 0 0 0", "1 0 0 0", "2 0 0 0", "3 0 0 0"], run.OutLines[(header + 1)..].Select(Squeeze));
    }

    [Fact]
    public async Task Create_with_only_a_name_leaves_every_default_to_the_node()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"orders"}""", Assert.Single(Node.Requests).BodyText);
        Assert.Contains(run.OutLines, l => l.StartsWith("retention:", StringComparison.Ordinal) && l.EndsWith("forever", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_sends_units_in_their_canonical_form()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders", "--retention-age", "90m", "--retention-bytes", "512KB");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"orders","retention":{"age":"90m","bytes":"512KB"}}""", Assert.Single(Node.Requests).BodyText);
    }

    [Fact]
    public async Task Create_in_another_namespace_uses_its_path()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders", "--namespace", "shop");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("/api/v1/namespaces/shop/eventbuses", Assert.Single(Node.Requests).Path);
        Assert.Contains("error: Namespace not found", run.Error);
        Assert.Contains("namespace 'shop' does not exist", run.Error);
    }

    [Fact]
    public async Task Create_of_an_existing_bus_prints_the_problem_and_exits_1()
    {
        Node.AddEventbus("orders");

        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        // Every member of the node's problem document, in order.
        Assert.Equal(
            [
                "error: Eventbus exists",
                "detail:   eventbus 'orders' already exists in namespace 'default'",
                "status:   409",
                "type:     urn:vanus:problem:already-exists",
                "instance: /api/v1/namespaces/default/eventbuses",
                "eventbus: orders",
                "field:    name",
            ],
            lines.Select(l => l.Trim()));
    }

    [Fact]
    public async Task Create_refused_by_the_node_shows_the_field_it_names()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders", "--replicas", "3");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'replicas' is 3 but the cluster has 1 node", run.Error);
        Assert.Contains("field:", run.Error);
        Assert.Contains("replicas", run.Error);
    }

    [Fact]
    public async Task Create_with_json_output_prints_the_nodes_document()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "create", "orders", "--eventlogs", "2", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Node.DocumentJson("orders"), run.Out.TrimEnd());
    }

    [Fact]
    public async Task List_prints_aligned_columns_with_event_counts()
    {
        await CliRunner.RunAsync(Node, "eventbus", "create", "a-very-long-eventbus-name", "--eventlogs", "2", "--sync", "none");
        await CliRunner.RunAsync(Node, "eventbus", "create", "b");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await CliRunner.RunAsync(Node, "event", "put", "b", "--type", "t")).ExitCode);
        }

        var run = await CliRunner.RunAsync(Node, "eventbus", "list");

        Assert.Equal(0, run.ExitCode);
        var lines = run.OutLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("NAME EVENTLOGS EVENTS SYNC REPLICAS RETENTION", Squeeze(lines[0]));
        Assert.Equal("a-very-long-eventbus-name 2 0 none 1 forever", Squeeze(lines[1]));
        Assert.Equal("b 1 3 interval 1 forever", Squeeze(lines[2]));
        foreach (var column in new[] { "EVENTLOGS", "EVENTS", "SYNC", "REPLICAS", "RETENTION" })
        {
            var at = lines[0].IndexOf(column, StringComparison.Ordinal);
            Assert.All(lines[1..], l => Assert.NotEqual(' ', l[at]));
            Assert.All(lines[1..], l => Assert.Equal(' ', l[at - 1]));
        }
    }

    [Fact]
    public async Task List_of_an_empty_namespace_says_so()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "list");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("no eventbuses in namespace default", run.Out.TrimEnd());
    }

    [Fact]
    public async Task List_with_json_output_prints_the_nodes_array()
    {
        Node.AddEventbus("a");
        Node.AddEventbus("b", eventlogs: 3);

        var run = await CliRunner.RunAsync(Node, "eventbus", "list", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal(["a", "b"], doc.RootElement.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Equal(3, doc.RootElement[1].GetProperty("eventlogs").GetArrayLength());
    }

    [Fact]
    public async Task Info_prints_settings_and_each_eventlogs_offsets()
    {
        Node.AddEventbus("orders", eventlogs: 2);
        for (var i = 0; i < 3; i++)
        {
            await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t");
        }

        var run = await CliRunner.RunAsync(Node, "eventbus", "info", "orders");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("name: orders", Squeeze(run.OutLines[0]));
        Assert.Contains("deadLetterBus: orders-dl", run.OutLines.Select(Squeeze));
        var header = Array.FindIndex(run.OutLines, l => l.StartsWith("EVENTLOG", StringComparison.Ordinal));
        Assert.Equal("EVENTLOG EARLIEST NEXT EVENTS", Squeeze(run.OutLines[header]));
        Assert.Equal(["0 0 2 2", "1 0 1 1"], run.OutLines[(header + 1)..].Select(Squeeze));
    }

    [Fact]
    public async Task Info_of_an_unknown_bus_exits_1_with_the_problem()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "info", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: Eventbus not found", run.Error);
        Assert.Contains("eventbus 'nope' does not exist in namespace 'default'", run.Error);
    }

    [Fact]
    public async Task Delete_removes_the_bus_and_a_second_delete_is_refused()
    {
        Node.AddEventbus("orders");

        var first = await CliRunner.RunAsync(Node, "eventbus", "delete", "orders");
        var second = await CliRunner.RunAsync(Node, "eventbus", "delete", "orders");
        var list = await CliRunner.RunAsync(Node, "eventbus", "list");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal("deleted eventbus default/orders", first.Out.TrimEnd());
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("Eventbus not found", second.Error);
        Assert.Equal("no eventbuses in namespace default", list.Out.TrimEnd());
        Assert.Equal("DELETE", Node.Requests.First().Method);
    }

    [Fact]
    public async Task Delete_with_json_output_prints_nothing_for_a_204()
    {
        Node.AddEventbus("orders");

        var run = await CliRunner.RunAsync(Node, "eventbus", "delete", "orders", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Names_are_escaped_in_the_path()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "info", "a b/c");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("/api/v1/namespaces/default/eventbuses/a b/c", Assert.Single(Node.Requests).Path.Replace("%2F", "/", StringComparison.Ordinal));
        Assert.Contains("eventbus 'a b/c' does not exist", run.Error);
    }

    [Theory]
    [InlineData("--eventlogs", "0", "--eventlogs must be from 1 to 64, not 0")]
    [InlineData("--eventlogs", "65", "--eventlogs must be from 1 to 64, not 65")]
    [InlineData("--eventlogs", "four", "--eventlogs must be a whole number, not 'four'")]
    [InlineData("--eventlogs", "1.5", "--eventlogs must be a whole number, not '1.5'")]
    [InlineData("--replicas", "0", "--replicas must be from 1 to 64, not 0")]
    [InlineData("--sync", "sometimes", "sometimes")]
    [InlineData("--retention-age", "7", "'7' has no unit")]
    [InlineData("--retention-age", "1.5h", "'1.5h'")]
    [InlineData("--retention-age", "7w", "unit 'w'")]
    [InlineData("--retention-age", "0s", "--retention-age: '0s' must be longer than zero")]
    [InlineData("--retention-bytes", "10XB", "unit 'XB'")]
    [InlineData("--retention-bytes", "-5GB", "'-5GB' is not a size")]
    [InlineData("--retention-bytes", "0", "has no unit")]
    [InlineData("--retention-bytes", "0B", "must be more than zero bytes")]
    [InlineData("--output", "xml", "xml")]
    [InlineData("--endpoint", "ftp://127.0.0.1:1", "--endpoint must be an absolute http:// or https:// URL")]
    [InlineData("--endpoint", "localhost:8080", "--endpoint must be an absolute http:// or https:// URL")]
    public async Task Bad_flags_fail_with_exit_2_before_any_request(string flag, string value, string message)
    {
        string[] args = ["eventbus", "create", "orders", flag, value];
        var run = flag == "--endpoint" ? await CliRunner.RunAsync(args) : await CliRunner.RunAsync(Node, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.Contains("See 'vanus eventbus create --help'.", run.Error);
        Assert.Equal("", run.Out);
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task A_missing_name_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "info");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(Node.Requests);
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
