using System.Text.Json;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Tests;

public sealed class DeadletterCommandsTests : FakeNodeTests
{
    private const string DeadLetters = "/api/v1/namespaces/default/subscriptions/hook/deadletters";

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders");
        node.AddSubscription("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""");
    }

    private void AddDeadLetters(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Node.AddDeadLetter("hook", new Event($"e-{i}", "shop", "order.created").WithTextData($"{{\"n\":{i}}}", "application/json"), i == 0 ? "rejected" : "exhausted", i == 0 ? "the sink answered 400" : "the sink answered 503", i == 0 ? 1 : 32);
        }
    }

    [Fact]
    public async Task List_reads_the_first_page_and_prints_reason_error_and_attempts()
    {
        AddDeadLetters(2);

        var run = await CliRunner.RunAsync(Node, "deadletter", "list", "hook");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal(("GET", DeadLetters, "?eventlog=0&offset=0&count=100"), (request.Method, request.Path, request.Query));
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Equal(
            [
                "EVENTLOG OFFSET DEAD-LETTERED ID TYPE ATTEMPTS REASON ERROR",
                "0 0 2026-11-27T16:00:00Z e-0 order.created 1 rejected the sink answered 400",
                "0 1 2026-11-27T16:00:00Z e-1 order.created 32 exhausted the sink answered 503",
            ],
            lines);
    }

    [Fact]
    public async Task List_takes_the_eventlog_offset_and_count()
    {
        AddDeadLetters(5);

        var run = await CliRunner.RunAsync(Node, "deadletter", "list", "hook", "--eventlog", "0", "--offset", "3", "--count", "1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?eventlog=0&offset=3&count=1", Assert.Single(Node.Requests).Query);
        Assert.Equal(2, run.OutLines.Length);
        Assert.StartsWith("0 3 ", Squeeze(run.OutLines[1]));
    }

    [Fact]
    public async Task List_of_no_dead_letters_says_so()
    {
        var run = await CliRunner.RunAsync(Node, "deadletter", "list", "hook", "--offset", "7");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("no dead letters of subscription default/hook in eventlog 0 from offset 7", run.Out.TrimEnd());
    }

    [Fact]
    public async Task List_with_json_output_prints_the_events_with_their_dead_letter_attributes()
    {
        AddDeadLetters(1);

        var run = await CliRunner.RunAsync(Node, "deadletter", "list", "hook", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var e = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("hook", e.GetProperty("xvanusdlsubscription").GetString());
        Assert.Equal("rejected", e.GetProperty("xvanusdlreason").GetString());
        Assert.Equal(0, e.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task List_of_an_unknown_subscription_exits_1()
    {
        var run = await CliRunner.RunAsync(Node, "deadletter", "list", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: Subscription not found", run.Error);
    }

    [Fact]
    public async Task Resend_without_a_selection_sends_an_empty_object_and_prints_the_count()
    {
        AddDeadLetters(3);

        var run = await CliRunner.RunAsync(Node, "deadletter", "resend", "hook");

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal(("POST", DeadLetters + "/resend", "{}"), (request.Method, request.Path, request.BodyText));
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal("resent 3 dead letters of subscription default/hook", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Resend_of_a_range_sends_eventlog_from_and_to()
    {
        AddDeadLetters(5);

        var run = await CliRunner.RunAsync(Node, "deadletter", "resend", "hook", "--eventlog", "0", "--from", "1", "--to", "1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"eventlog":0,"from":1,"to":1}""", Assert.Single(Node.Requests).BodyText);
        Assert.Equal("resent 1 dead letter of subscription default/hook", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Resend_with_json_output_prints_the_nodes_answer()
    {
        AddDeadLetters(2);

        var run = await CliRunner.RunAsync(Node, "deadletter", "resend", "hook", "--eventlog", "0", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"eventlog":0}""", Assert.Single(Node.Requests).BodyText);
        Assert.Equal("""{"resent":2}""", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Resend_for_an_unknown_subscription_exits_1()
    {
        var run = await CliRunner.RunAsync(Node, "deadletter", "resend", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("subscription 'nope' does not exist", run.Error);
    }

    [Theory]
    [InlineData("--from and --to are offsets of one dead-letter eventlog: give --eventlog too", "resend", "hook", "--from", "1")]
    [InlineData("--from and --to are offsets of one dead-letter eventlog: give --eventlog too", "resend", "hook", "--to", "1")]
    [InlineData("--from 5 is after --to 2", "resend", "hook", "--eventlog", "0", "--from", "5", "--to", "2")]
    [InlineData("--from must be from 0 to", "resend", "hook", "--eventlog", "0", "--from", "-1")]
    [InlineData("--eventlog must be a whole number, not 'x'", "resend", "hook", "--eventlog", "x")]
    [InlineData("--count must be from 1 to 1000, not 0", "list", "hook", "--count", "0")]
    [InlineData("--count must be from 1 to 1000, not 1001", "list", "hook", "--count", "1001")]
    [InlineData("--offset must be a whole number, not 'first'", "list", "hook", "--offset", "first")]
    [InlineData("SUBSCRIPTION", "list")]
    public async Task Bad_flags_fail_with_exit_2_before_any_request(string message, params string[] args)
    {
        var run = await CliRunner.RunUsageErrorAsync(Node, message, ["deadletter", .. args]);
        Assert.Equal("", run.Out);
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
