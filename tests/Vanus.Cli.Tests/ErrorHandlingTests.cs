using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vanus.Cli.Tests;

public sealed class ErrorHandlingTests : FakeNodeTests
{

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders");
    }

    /// <summary>A loopback port that nothing listens on: bound once to get a free number, then released.</summary>
    private static string DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    [Theory]
    [InlineData("eventbus", "list")]
    [InlineData("eventbus", "create", "orders")]
    [InlineData("eventbus", "info", "orders")]
    [InlineData("eventbus", "delete", "orders")]
    [InlineData("event", "put", "orders", "--type", "t")]
    [InlineData("event", "get", "orders", "--id", "0000000000000000")]
    [InlineData("event", "query", "orders", "--time", "2026-01-01T00:00:00Z")]
    [InlineData("bench", "ingest", "--eventbus", "orders", "--duration", "1")]
    public async Task An_unreachable_node_exits_3_naming_the_endpoint(params string[] args)
    {
        var endpoint = DeadEndpoint();

        var run = await CliRunner.RunAsync([.. args, "--endpoint", endpoint]);

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: cannot reach the Vanus node at {endpoint}/: ", run.Error);
        Assert.Contains("ConnectionRefused", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Several_endpoints_move_past_a_dead_node_to_one_that_answers()
    {
        var dead = DeadEndpoint();

        var run = await CliRunner.RunAsync(["eventbus", "list", "--output", "json", "--endpoint", $"{dead},{Node.Endpoint.ToString().TrimEnd('/')}"]);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("\"orders\"", run.Out);
    }

    [Fact]
    public async Task With_every_endpoint_dead_the_verb_exits_3_naming_the_last_it_tried()
    {
        var (first, second) = (DeadEndpoint(), DeadEndpoint());

        var run = await CliRunner.RunAsync(["eventbus", "list", "--endpoint", $"{first},{second}"]);

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: cannot reach the Vanus node at {second}/: ", run.Error);
        Assert.Contains("ConnectionRefused", run.Error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1,", "--endpoint has an empty entry")]
    [InlineData("http://127.0.0.1:1,,http://127.0.0.1:2", "--endpoint has an empty entry")]
    [InlineData("http://127.0.0.1:1,localhost:8080", "--endpoint must be an absolute http:// or https:// URL such as http://127.0.0.1:8080, not 'localhost:8080'")]
    public async Task A_bad_endpoint_list_is_a_usage_error(string endpoints, string message)
    {
        var run = await CliRunner.RunAsync(["eventbus", "list", "--endpoint", endpoints]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task A_refusal_without_a_problem_document_prints_status_and_body()
    {
        Node.Override = async c =>
        {
            c.Response.StatusCode = 502;
            c.Response.ContentType = "text/html";
            await c.Response.WriteAsync("<html>bad gateway</html>");
            return true;
        };

        var run = await CliRunner.RunAsync(Node, "eventbus", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["error: the node answered 502 Bad Gateway", "  body: <html>bad gateway</html>"], run.Error.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task With_json_output_a_refusal_prints_the_problem_document_as_sent()
    {
        var run = await CliRunner.RunAsync(Node, "eventbus", "info", "nope", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        using var problem = JsonDocument.Parse(run.Error);
        Assert.Equal("Eventbus not found", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("nope", problem.RootElement.GetProperty("eventbus").GetString());
    }

    [Fact]
    public async Task A_problem_prints_every_extension_member_including_structured_ones()
    {
        Node.Override = async c =>
        {
            c.Response.StatusCode = 400;
            c.Response.ContentType = "application/problem+json";
            await c.Response.WriteAsync("""{"type":"https://vanus.dev/problems/invalid-event","title":"Invalid CloudEvent","status":400,"detail":"event [2], attribute 'time' must be an RFC 3339 timestamp","instance":"/gateway/orders","index":2,"attribute":"time","errors":[{"index":2,"attribute":"time"}]}""");
            return true;
        };

        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t");

        Assert.Equal(1, run.ExitCode);
        var lines = run.Error.TrimEnd().Split(Environment.NewLine);
        Assert.Equal("error: Invalid CloudEvent", lines[0]);
        Assert.Equal(
            [
                "detail: event [2], attribute 'time' must be an RFC 3339 timestamp",
                "status: 400",
                "type: https://vanus.dev/problems/invalid-event",
                "instance: /gateway/orders",
                "index: 2",
                "attribute: time",
                """errors: [{"index":2,"attribute":"time"}]""",
            ],
            lines[1..].Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    [Theory]
    [InlineData("eventbus", "info", "orders")]
    [InlineData("eventbus", "list")]
    [InlineData("event", "put", "orders", "--type", "t")]
    [InlineData("event", "get", "orders", "--eventlog", "0", "--offset", "0")]
    [InlineData("event", "query", "orders", "--time", "2026-01-01T00:00:00Z")]
    public async Task A_2xx_body_outside_the_contract_exits_1_and_shows_it(params string[] args)
    {
        Node.Override = async c =>
        {
            c.Response.StatusCode = 200;
            await c.Response.WriteAsync("surprise");
            return true;
        };

        var run = await CliRunner.RunAsync(Node, args);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: the node answered 200 but its body is not ", run.Error);
        Assert.Contains("surprise", run.Error);
    }

    [Fact]
    public async Task An_unknown_verb_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["eventbus", "rename", "a", "b"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("rename", run.Error);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_the_verbs()
    {
        var run = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("eventbus", run.Out);
        Assert.Contains("event", run.Out);
        Assert.Contains("bench", run.Out);
    }
}
